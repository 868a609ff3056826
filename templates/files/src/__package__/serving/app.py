"""The FastAPI app: loads the model once at start-up and serves predictions.

    uvicorn {{appImport}} --host 0.0.0.0 --port {{port}}

{{healthPath}} is liveness (no model needed), {{readyPath}} answers 503 until the
model is loaded, {{predictPath}} scores a batch (serving/predict.py: a plain
route with its limits, documented here in the OpenAPI schema), {{metricsPath}} is
for Prometheus and {{versionPath}} says what is being served. The model is the
version the deploy pinned (the environment variable
{{envPrefix}}MODEL_VERSION) or, unset, the one the
{{championAlias}} alias points to at start-up. What is scored is recorded for the
drift job (serving/inference_log.py). With
{{envPrefix}}API_KEYS_FILE set, {{predictPath}} needs an API key
(serving/api_keys.py);
{{envPrefix}}DOCS_ENABLED=false turns off /docs, /redoc and
/openapi.json.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .. import DESCRIPTION, __version__
from ..features import FEATURES
from ..logging_config import configure_logging, request_id_var
from ..settings import Settings, get_settings
from .api_keys import ApiKeys
from .inference_log import InferenceLog
from .metrics import ServiceMetrics
from .middleware import ObservabilityMiddleware, flush_access_lines
from .predict import predict_route
from .schemas import (
    ClientErrors,
    Health,
    PredictRequest,
    PredictResponse,
    Readiness,
    VersionInfo,
)
from .state import ModelState, load_model

logger = logging.getLogger(__name__)

_NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {"model": Readiness, "description": "The model is not loaded (yet)."}
}
_PREDICT_RESPONSES: dict[int | str, dict[str, Any]] = {
    **_NOT_READY,
    401: {"description": "No accepted API key (when API keys are configured)."},
    408: {"description": "The body did not arrive within the request timeout."},
    413: {"model": ClientErrors, "description": "The body is larger than the limit."},
}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    metrics = ServiceMetrics()
    state = ModelState()
    inference_log = InferenceLog(
        settings.inference_log_location,
        FEATURES,
        metrics,
        sample_rate=settings.inference_sample_rate,
        flush_seconds=settings.inference_flush_seconds,
        max_rows=settings.inference_buffer_rows,
    )
    selector = _selector(settings)
    api_keys = ApiKeys(settings.api_keys_file)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Loading reads files or calls MLflow: off the event loop, so probes answer meanwhile.
        try:
            state.model = await anyio.to_thread.run_sync(load_model, settings)
        except Exception as error:  # a missing model keeps the pod alive but not ready
            state.error = f"{type(error).__name__}: {error}"
            logger.exception("model not loaded", extra=selector)
        else:
            version = state.model.version
            alias = "" if settings.model_version else settings.model_alias
            metrics.model_info.labels(settings.model_name, version, alias).set(1)
            logger.info(
                "model loaded",
                extra={"model_version": version, "scorer": state.model.scorer_kind, **selector},
            )
        inference_log.start()
        yield
        # The last requests' access lines before the shutdown line.
        flush_access_lines()
        logger.info("shutting down: in-flight requests have finished")
        # Writes the rows still buffered; bounded, so shutdown stays prompt.
        await anyio.to_thread.run_sync(inference_log.close)
        state.model = None

    docs = settings.docs_enabled
    app = FastAPI(
        title="{{title}}",
        description=DESCRIPTION,
        version=__version__,
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)
    # First in the routing table: the plain route answers every POST {{predictPath}}.
    app.router.routes.insert(0, predict_route(settings, state, metrics, inference_log, api_keys))
    app.openapi = _openapi_with_predict(app, api_keys.required)  # type: ignore[method-assign]

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
        problem = api_keys.check()
        if problem is not None:
            # Without a usable key file {{predictPath}} refuses everyone: take no traffic.
            body = Readiness(status="failed", detail=problem)
            return JSONResponse(body.model_dump(), status_code=503)
        return Readiness(status="ready", model_version=state.model.version)

    @app.get("{{metricsPath}}", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("{{versionPath}}", response_model=VersionInfo, tags=["probes"])
    async def version() -> VersionInfo:
        """What is being served: the model version (pinned or by alias) and the code's git SHA."""
        loaded = state.model
        return VersionInfo(
            model_name=settings.model_name,
            model_version=loaded.version if loaded else None,
            model_alias=settings.model_alias,
            pinned_version=settings.model_version,
            git_sha=settings.git_sha,
            package_version=__version__,
        )

    return app


def predict(request: PredictRequest) -> PredictResponse:  # pragma: no cover - never called
    """Score a batch of rows with the served model.

    At most {{envPrefix}}MAX_BATCH_SIZE rows and
    {{envPrefix}}MAX_BODY_BYTES bytes; a 422 lists at most
    {{envPrefix}}MAX_VALIDATION_ERRORS field errors, and rows the model
    cannot score (values that overflow inside it) are a 422 too.
    """
    # The OpenAPI entry only: requests are answered by serving/predict.py, mounted in its place.
    raise RuntimeError("POST /predict is answered by serving/predict.py")


def _openapi_with_predict(app: FastAPI, keyed: bool) -> Any:
    """The schema of the FastAPI routes plus {{predictPath}}, described by `predict` above."""
    security: list[dict[str, list[str]]] | None = [{"apiKey": []}] if keyed else None
    contract = APIRoute(
        "{{predictPath}}",
        predict,
        methods=["POST"],
        response_model=PredictResponse,
        responses=_PREDICT_RESPONSES,
        tags=["model"],
        openapi_extra={"security": security} if security else None,
    )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=[*app.routes, contract],
            )
            if keyed:
                schemes = app.openapi_schema.setdefault("components", {}).setdefault(
                    "securitySchemes", {}
                )
                schemes["apiKey"] = {"type": "http", "scheme": "bearer"}
        return app.openapi_schema

    return openapi


def _selector(settings: Settings) -> dict[str, str]:
    if settings.model_version:
        return {"pinned_version": settings.model_version}
    return {"alias": settings.model_alias}


def _client_error(error: Any) -> dict[str, Any]:
    detail = {"type": error["type"], "loc": list(error["loc"]), "msg": error["msg"]}
    if "ctx" in error:
        detail["ctx"] = {key: str(value) for key, value in error["ctx"].items()}
    return detail


app = create_app()
