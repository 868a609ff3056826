"""Request and response bodies of the API, with the examples the OpenAPI docs show."""

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from ..features import EXAMPLE_ROW, FeatureRow

_EXAMPLE: dict[str, JsonValue] = {"rows": [{**EXAMPLE_ROW}]}


class PredictRequest(BaseModel):
    """A batch of rows; the largest batch is settings.max_batch_size."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    rows: list[FeatureRow] = Field(min_length=1, description="Rows to score, in order.")


class Prediction(BaseModel):
    label: int = Field(description="Predicted class (0 or 1).", examples=[1])
    label_name: str = Field(description="Name of the predicted class.", examples=["benign"])
    probability: float = Field(
        ge=0.0, le=1.0, description="Probability of class 1.", examples=[0.93]
    )


class PredictResponse(BaseModel):
    predictions: list[Prediction]
    model_name: str = Field(examples=["{{modelName}}"])
    model_version: str = Field(examples=["3"])


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class Readiness(BaseModel):
    status: str = Field(description="ready, loading or failed", examples=["ready"])
    model_version: str | None = Field(default=None, examples=["3"])
    detail: str | None = Field(default=None, description="Why the model is not loaded.")


class VersionInfo(BaseModel):
    model_name: str = Field(examples=["{{modelName}}"])
    model_version: str | None = Field(examples=["3"])
    model_alias: str = Field(examples=["{{championAlias}}"])
    git_sha: str = Field(examples=["0123abc"])
    package_version: str = Field(examples=["0.1.0"])
