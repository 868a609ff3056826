"""JSON logs on stderr, one object per line, each carrying the current request id.

stderr keeps stdout free for the reports the command-line tools print;
container runtimes collect both streams.
"""

import logging
import sys
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

# Set by the HTTP middleware for the duration of a request (and copied into worker threads).
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

_FORMAT = "%(levelname)s %(name)s %(message)s"


class RequestIdFilter(logging.Filter):
    """Adds request_id to every record so a request's lines can be joined."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        # uvicorn adds an ANSI-coloured copy of each message; JSON needs only one.
        record.__dict__.pop("color_message", None)
        return True


def configure_logging(level: str = "INFO") -> None:
    """Route the root logger and uvicorn's loggers through one JSON handler (idempotent)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            _FORMAT,
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp=True,
        )
    )
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    # uvicorn installs its own plain-text handlers; hand its records to ours instead.
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers = []
        uvicorn_logger.propagate = True
    # The service's middleware writes the access log (with request id, route and duration).
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
