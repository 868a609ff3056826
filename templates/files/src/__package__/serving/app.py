"""The FastAPI app: loads the model once at start-up and serves predictions.

    uvicorn {{appImport}} --host 0.0.0.0 --port {{port}}

{{healthPath}} is liveness (no model needed), {{readyPath}} answers 503 until the
model is loaded, {{predictPath}} scores a batch, {{metricsPath}} is for Prometheus
and {{versionPath}} says what is being served. CPU-bound prediction runs in a
worker thread so it never blocks the event loop; only small batches of a
linear model, a few microseconds of arithmetic, are scored in place
(settings.inline_max_rows; 0 sends every batch to the thread pool).
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import numpy as np
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from .. import DESCRIPTION, __version__
from ..features import FEATURES, LABELS
from ..logging_config import configure_logging, request_id_var
from ..model import Bundle
from ..reference import load_profile
from ..registry import open_registry
from ..settings import Settings, get_settings
from .metrics import ServiceMetrics
from .middleware import ObservabilityMiddleware
from .schemas import (
    Health,
    Prediction,
    PredictRequest,
    PredictResponse,
    Readiness,
    VersionInfo,
)
from .scorer import Scorer, build_scorer

logger = logging.getLogger(__name__)

_NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {"model": Readiness, "description": "The model is not loaded (yet)."}
}


@dataclass(frozen=True)
class LoadedModel:
    bundle: Bundle
    score: Scorer
    scorer_kind: str

    @property
    def version(self) -> str:
        return str(self.bundle.metadata["version"])


@dataclass
class ModelState:
    """What the lifespan loaded; `model` stays None until it is ready."""

    model: LoadedModel | None = None
    error: str | None = None


def load_model(settings: Settings) -> LoadedModel:
    """The model with alias settings.model_alias, from MLflow or the local registry."""
    bundle = open_registry(settings).load_alias(settings.model_alias)
    if bundle.features != FEATURES:
        raise ValueError(
            f"model version {bundle.metadata['version']} was trained on features "
            f"{list(bundle.features)}, the API expects {list(FEATURES)}"
        )
    profile = load_profile(bundle.directory)
    check_rows = np.column_stack([profile["features"][name]["sample"] for name in FEATURES])
    score, kind = build_scorer(bundle.model, check_rows)
    return LoadedModel(bundle=bundle, score=score, scorer_kind=kind)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    metrics = ServiceMetrics()
    predicted = [metrics.predictions.labels(name) for name in LABELS]
    state = ModelState()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Loading reads files or calls MLflow: off the event loop, so probes answer meanwhile.
        try:
            state.model = await anyio.to_thread.run_sync(load_model, settings)
        except Exception as error:  # a missing model keeps the pod alive but not ready
            state.error = f"{type(error).__name__}: {error}"
            logger.exception("model not loaded", extra={"alias": settings.model_alias})
        else:
            version = state.model.version
            metrics.model_info.labels(settings.model_name, version, settings.model_alias).set(1)
            logger.info(
                "model loaded",
                extra={"model_version": version, "scorer": state.model.scorer_kind},
            )
        yield
        logger.info("shutting down: in-flight requests have finished")
        state.model = None

    app = FastAPI(
        title="{{title}}",
        description=DESCRIPTION,
        version=__version__,
        lifespan=lifespan,
    )
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        # The offending input is not echoed back: it may be large, sensitive or not
        # representable in JSON (NaN), which would turn a client error into a 500.
        details = [_client_error(item) for item in error.errors()]
        return JSONResponse({"detail": details}, status_code=422)

    @app.exception_handler(Exception)
    async def unhandled(_: Request, error: Exception) -> JSONResponse:
        logger.error("unhandled error", exc_info=error)
        return JSONResponse(
            {"detail": "internal error", "request_id": request_id_var.get()}, status_code=500
        )

    @app.get("{{healthPath}}", response_model=Health, tags=["probes"])
    async def health() -> Health:
        """Liveness: the process is up and serving HTTP (the model is not needed)."""
        return Health(status="ok")

    @app.get("{{readyPath}}", response_model=Readiness, tags=["probes"], responses=_NOT_READY)
    async def ready() -> Readiness | JSONResponse:
        """Readiness: 200 once the model is loaded, 503 before (or if loading failed)."""
        if state.model is None:
            status = "failed" if state.error else "loading"
            body = Readiness(status=status, detail=state.error)
            return JSONResponse(body.model_dump(), status_code=503)
        return Readiness(status="ready", model_version=state.model.version)

    @app.post("{{predictPath}}", response_model=PredictResponse, tags=["model"], responses=_NOT_READY)
    async def predict(request: PredictRequest) -> Response:
        """Score a batch of rows with the served model."""
        if len(request.rows) > settings.max_batch_size:
            raise RequestValidationError(
                [
                    {
                        "type": "too_long",
                        "loc": ("body", "rows"),
                        "msg": f"at most {settings.max_batch_size} rows per request",
                        "input": len(request.rows),
                        "ctx": {"max_length": settings.max_batch_size},
                    }
                ]
            )
        model = state.model
        if model is None:
            return JSONResponse(
                {"detail": "model not loaded"}, status_code=503, headers={"Retry-After": "5"}
            )
        # Field order of each row is the FEATURES order (the request model is built from it).
        matrix = np.array([list(row.__dict__.values()) for row in request.rows], dtype=float)
        if model.scorer_kind == "linear" and len(request.rows) <= settings.inline_max_rows:
            # A few microseconds of arithmetic: cheaper than the hand-off to a worker thread.
            probabilities = model.score(matrix)
        else:
            # Real CPU work (large batches, other models): off the event loop.
            probabilities = await run_in_threadpool(model.score, matrix)
        predictions = []
        for probability in probabilities.tolist():
            label = int(probability >= 0.5)
            name = LABELS[label]
            predictions.append(Prediction(label=label, label_name=name, probability=probability))
            predicted[label].inc()
            metrics.prediction_value.observe(probability)
        response = PredictResponse(
            predictions=predictions,
            model_name=settings.model_name,
            model_version=model.version,
        )
        # Built (and so validated) above: serialized once, by pydantic, without a second pass.
        return Response(response.model_dump_json(), media_type="application/json")

    @app.get("{{metricsPath}}", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("{{versionPath}}", response_model=VersionInfo, tags=["probes"])
    async def version() -> VersionInfo:
        """What is being served: model name, version and alias, and the code's git SHA."""
        loaded = state.model
        return VersionInfo(
            model_name=settings.model_name,
            model_version=loaded.version if loaded else None,
            model_alias=settings.model_alias,
            git_sha=settings.git_sha,
            package_version=__version__,
        )

    return app


def _client_error(error: Any) -> dict[str, Any]:
    detail = {"type": error["type"], "loc": list(error["loc"]), "msg": error["msg"]}
    if "ctx" in error:
        detail["ctx"] = {key: str(value) for key, value in error["ctx"].items()}
    return detail


app = create_app()
