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
    detail: str | None = Field(default=None, description="Why the service is not ready.")


class ErrorDetail(BaseModel):
    type: str = Field(examples=["too_large"])
    loc: list[str | int] = Field(examples=[["body"]])
    msg: str = Field(examples=["the request body is larger than 1048576 bytes"])
    ctx: dict[str, str] | None = Field(default=None, examples=[{"max_bytes": "1048576"}])


class ClientErrors(BaseModel):
    """A 413 or 422 answer: what is wrong, where."""

    detail: list[ErrorDetail]


class VersionInfo(BaseModel):
    model_name: str = Field(examples=["{{modelName}}"])
    model_version: str | None = Field(description="The version being served.", examples=["3"])
    model_alias: str = Field(
        description="Alias served when no version is pinned.", examples=["{{championAlias}}"]
    )
    pinned_version: str | None = Field(
        description=(
            "The model version the deploy pinned, if any (the environment variable "
            "{{envPrefix}}MODEL_VERSION); null when the alias decides."
        ),
        examples=["3"],
    )
    git_sha: str = Field(examples=["0123abc"])
    package_version: str = Field(examples=["0.1.0"])
