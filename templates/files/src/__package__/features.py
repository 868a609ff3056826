"""The feature contract: the model's input columns, in order.

Training checks its data against FEATURES, the model records them, and the API
builds its request model from them, so the three cannot disagree. To serve your
own data, change FEATURES (and EXAMPLE_ROW) together with data.load_frame.
"""

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, create_model

FEATURES: tuple[str, ...] = (
    "mean_radius",
    "mean_texture",
    "mean_perimeter",
    "mean_area",
    "mean_smoothness",
    "mean_compactness",
    "mean_concavity",
    "mean_concave_points",
    "mean_symmetry",
    "mean_fractal_dimension",
    "radius_error",
    "texture_error",
    "perimeter_error",
    "area_error",
    "smoothness_error",
    "compactness_error",
    "concavity_error",
    "concave_points_error",
    "symmetry_error",
    "fractal_dimension_error",
    "worst_radius",
    "worst_texture",
    "worst_perimeter",
    "worst_area",
    "worst_smoothness",
    "worst_compactness",
    "worst_concavity",
    "worst_concave_points",
    "worst_symmetry",
    "worst_fractal_dimension",
)

# Median of each feature in the bundled data set: the OpenAPI example and a valid test row.
EXAMPLE_ROW: dict[str, float] = {
    "mean_radius": 13.37,
    "mean_texture": 18.84,
    "mean_perimeter": 86.24,
    "mean_area": 551.1,
    "mean_smoothness": 0.09587,
    "mean_compactness": 0.09263,
    "mean_concavity": 0.06154,
    "mean_concave_points": 0.0335,
    "mean_symmetry": 0.1792,
    "mean_fractal_dimension": 0.06154,
    "radius_error": 0.3242,
    "texture_error": 1.108,
    "perimeter_error": 2.287,
    "area_error": 24.53,
    "smoothness_error": 0.00638,
    "compactness_error": 0.02045,
    "concavity_error": 0.02589,
    "concave_points_error": 0.01093,
    "symmetry_error": 0.01873,
    "fractal_dimension_error": 0.003187,
    "worst_radius": 14.97,
    "worst_texture": 25.41,
    "worst_perimeter": 97.66,
    "worst_area": 686.5,
    "worst_smoothness": 0.1313,
    "worst_compactness": 0.2119,
    "worst_concavity": 0.2267,
    "worst_concave_points": 0.09993,
    "worst_symmetry": 0.2822,
    "worst_fractal_dimension": 0.08004,
}

TARGET = "target"
# Labels of the target values 0 and 1 (the order of the bundled data set).
LABELS: tuple[str, str] = ("malignant", "benign")


def to_identifier(column: str) -> str:
    """'mean concave points' -> 'mean_concave_points': a column name as a Python identifier."""
    words = "".join(char if char.isalnum() else " " for char in column.strip().lower()).split()
    identifier = "_".join(words)
    return identifier if identifier[:1].isalpha() else f"f_{identifier}"


_EXAMPLE: dict[str, JsonValue] = {**EXAMPLE_ROW}


def _row_model() -> type[BaseModel]:
    fields: dict[str, Any] = {
        name: (float, Field(description=f"Feature {name}.", examples=[EXAMPLE_ROW[name]]))
        for name in FEATURES
    }
    return create_model(
        "FeatureRow",
        __config__=ConfigDict(
            extra="forbid",
            strict=True,
            allow_inf_nan=False,
            json_schema_extra={"examples": [_EXAMPLE]},
        ),
        **fields,
    )


if TYPE_CHECKING:

    class FeatureRow(BaseModel):
        """One row of model inputs; its float fields are FEATURES, built at import."""

else:
    FeatureRow = _row_model()
