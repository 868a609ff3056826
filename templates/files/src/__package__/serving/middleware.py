"""ASGI middleware: request id, access log and HTTP metrics for every request.

Plain ASGI rather than BaseHTTPMiddleware: it adds no task per request, keeps
streaming intact and sees the matched route template after routing, which keeps
the route label's cardinality bounded (unknown paths count as "unmatched").

The access line is written here, as one orjson-encoded line on stderr with
the same fields the JSON log handler writes, rather than through `logging`:
the handler chain (record, filter, formatter) cost more than the prediction.
The logger's level still decides whether a line is written. The lines of the
requests that finish in one event-loop iteration go out in one write at the
end of that iteration (no later), instead of one write each.
"""

import asyncio
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..logging_config import request_id_var
from .metrics import ServiceMetrics

logger = logging.getLogger("{{packageName}}.access")

REQUEST_ID_HEADER = b"x-request-id"
# Accept a caller's id only if it is short and plain: it ends up in logs and headers.
_VALID_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{1,128}$")
# Label values must stay a small set: any other method is counted as OTHER.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Probes and scrapes are frequent and uninteresting; they are logged at DEBUG.
QUIET_ROUTES = frozenset({"{{healthPath}}", "{{readyPath}}", "{{metricsPath}}"})


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        token = request_id_var.set(request_id)
        status = 500
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                header = (REQUEST_ID_HEADER, request_id.encode())
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - start
            path = getattr(scope.get("route"), "path", None)
            template = path if isinstance(path, str) else "unmatched"
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            self.metrics.count_request(method, template, status, elapsed)
            level = logging.DEBUG if template in QUIET_ROUTES and status < 400 else logging.INFO
            if logger.isEnabledFor(level):
                _write_access_line(
                    {
                        "level": logging.getLevelName(level),
                        "logger": logger.name,
                        "message": "request",
                        "method": method,
                        "path": scope["path"][:512],
                        "route": template,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 3),
                        "request_id": request_id,
                        # orjson writes the same ISO 8601 text as isoformat(), faster.
                        "timestamp": datetime.now(UTC),
                    }
                )
            request_id_var.reset(token)


_pending_lines: list[bytes] = []


def _write_access_line(fields: dict[str, object]) -> None:
    # Called on the event loop only; the first line of an iteration schedules the write.
    if not _pending_lines:
        asyncio.get_running_loop().call_soon(flush_access_lines)
    _pending_lines.append(orjson.dumps(fields, option=orjson.OPT_APPEND_NEWLINE))


def flush_access_lines() -> None:
    """Writes the queued access lines in one call, so other log lines never split one."""
    if _pending_lines:
        data = b"".join(_pending_lines)
        _pending_lines.clear()
        sys.stderr.write(data.decode())


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER and _VALID_REQUEST_ID.match(value):
            given: str = value.decode()
            return given
    return uuid.uuid4().hex
