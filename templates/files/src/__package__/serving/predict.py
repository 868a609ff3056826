"""{{predictPath}} as a plain ASGI route: limits first, then msgspec, the scorer, orjson.

The route bypasses FastAPI's per-request machinery (dependency solving,
pydantic per field, response model serialization), which cost more than the
prediction itself; app.py documents it in the OpenAPI schema with the same
request and response models. Order of the checks, cheapest first, so that no
single request can exhaust the server:

1. an accepted API key, when API keys are configured (serving/api_keys.py):
   401 before any of the body is read, 503 while the key file is unusable;
2. body size: Content-Length, then the bytes as they stream in (413),
   read within the request timeout (408);
3. a model is loaded (503);
4. the body decoded and validated (422 with at most max_validation_errors
   field errors; the row count is checked before any row is validated);
5. scoring, in place (plain floats) for small linear batches, else in a
   worker thread within what is left of the request timeout (503);
6. outputs that are not finite numbers (422 naming the rows).
"""

import asyncio
from typing import Any

import anyio
import numpy as np
import orjson
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ..features import LABELS
from ..logging_config import request_id_var
from ..settings import Settings
from .api_keys import ApiKeys
from .inference_log import InferenceLog
from .metrics import ServiceMetrics
from .request_body import BodyTooLargeError, ClientGoneError, read_body
from .state import ModelState
from .validation import InvalidBodyError, parse_rows

_JSON = (b"content-type", b"application/json")
_CLOSE = (b"connection", b"close")
_CHALLENGE = (b"www-authenticate", b'Bearer realm="{{predictPath}}"')


def predict_route(
    settings: Settings,
    state: ModelState,
    metrics: ServiceMetrics,
    log: InferenceLog,
    api_keys: ApiKeys,
) -> Route:
    endpoint = PredictEndpoint(settings, state, metrics, log, api_keys)
    route = Route("{{predictPath}}", endpoint, methods=["POST"], include_in_schema=False)
    endpoint.route = route
    return route


class PredictEndpoint:
    def __init__(
        self,
        settings: Settings,
        state: ModelState,
        metrics: ServiceMetrics,
        log: InferenceLog,
        api_keys: ApiKeys,
    ) -> None:
        self.settings = settings
        self.api_keys = api_keys
        self.state = state
        self.metrics = metrics
        self.log = log
        self.route: Route | None = None
        self.predicted = [metrics.predictions.labels(name) for name in LABELS]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The metrics middleware labels requests by route template; older Starlette sets no route.
        scope["route"] = self.route
        if not self.api_keys.allows(scope["headers"]):
            if self.api_keys.problem is not None:
                refused = "the API keys are unavailable"
                await _send_json(send, 503, {"detail": refused}, (b"retry-after", b"5"), _CLOSE)
            else:
                refused = "a valid API key is required (Authorization: Bearer <key>)"
                await _send_json(send, 401, {"detail": refused}, _CHALLENGE, _CLOSE)
            return
        settings = self.settings
        timeout = settings.request_timeout_seconds
        deadline = anyio.current_time() + timeout
        try:
            async with asyncio.timeout(timeout):
                body = await read_body(scope, receive, settings.max_body_bytes)
        except BodyTooLargeError as error:
            detail = {
                "type": "too_large",
                "loc": ["body"],
                "msg": str(error),
                "ctx": {"max_bytes": str(error.limit)},
            }
            # Close the connection: the rest of a huge body is not read on this one.
            await _send_json(send, 413, {"detail": [detail]}, _CLOSE)
            return
        except TimeoutError:
            message = f"the request body did not arrive within {timeout:g} s"
            await _send_json(send, 408, {"detail": message}, _CLOSE)
            return
        except ClientGoneError:
            return
        model = self.state.model
        if model is None:
            retry = (b"retry-after", b"5")
            await _send_json(send, 503, {"detail": "model not loaded"}, retry)
            return
        try:
            rows = parse_rows(body, settings.max_batch_size, settings.max_validation_errors)
        except InvalidBodyError as invalid:
            await _send_json(send, 422, {"detail": invalid.errors})
            return
        scorer = model.scorer
        if scorer.score_few is not None and len(rows) <= settings.inline_max_rows:
            # A few microseconds of float arithmetic: cheaper than any hand-off.
            values = scorer.score_few(rows)
        else:
            # Real CPU work (large batches, other models): off the event loop, within the deadline.
            matrix = np.array(rows, dtype=float)
            with anyio.move_on_at(deadline) as budget:
                scored = await anyio.to_thread.run_sync(
                    scorer.score, matrix, abandon_on_cancel=True
                )
            if budget.cancelled_caught:
                message = f"scoring did not finish within {timeout:g} s"
                await _send_json(send, 503, {"detail": message}, (b"retry-after", b"5"))
                return
            values = scored.tolist()
        # NaN is the only value that differs from itself: a row the model could not score.
        unscorable = [index for index, value in enumerate(values) if value != value]
        if unscorable:
            await _send_json(send, 422, {"detail": self._unscorable(unscorable)})
            return
        positives = sum(value >= 0.5 for value in values)
        if positives:
            self.predicted[1].inc(positives)
        if positives < len(values):
            self.predicted[0].inc(len(values) - positives)
        observe = self.metrics.prediction_value.observe
        predictions = []
        for probability in values:
            observe(probability)
            label = int(probability >= 0.5)
            predictions.append(
                {"label": label, "label_name": LABELS[label], "probability": probability}
            )
        self.log.record(request_id_var.get() or "", model.version, rows, values)
        response = {
            "predictions": predictions,
            "model_name": settings.model_name,
            "model_version": model.version,
        }
        await _send_json(send, 200, response)

    def _unscorable(self, rows: list[int]) -> list[dict[str, Any]]:
        limit = self.settings.max_validation_errors
        errors: list[dict[str, Any]] = [
            {
                "type": "non_finite_output",
                "loc": ["body", "rows", row],
                "msg": "the model cannot score this row: its values overflow inside the model",
            }
            for row in rows[:limit]
        ]
        if len(rows) > limit:
            errors.append(
                {
                    "type": "too_many_errors",
                    "loc": ["body"],
                    "msg": f"only the first {limit} errors are listed",
                    "ctx": {"max_errors": str(limit)},
                }
            )
        return errors


async def _send_json(send: Send, status: int, payload: Any, *headers: tuple[bytes, bytes]) -> None:
    body = orjson.dumps(payload)
    length = (b"content-length", str(len(body)).encode())
    start = {"type": "http.response.start", "status": status, "headers": [_JSON, length, *headers]}
    await send(start)
    await send({"type": "http.response.body", "body": body})
