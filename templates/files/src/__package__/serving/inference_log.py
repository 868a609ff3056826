"""Records what the service scores, for the drift job: one JSON line per scored row.

A request only appends a reference to its rows and probabilities to an
in-memory buffer (microseconds, no I/O, nothing that can fail it); a
background thread turns the buffer into JSON Lines every flush interval and
writes one new file per flush, so object stores (which cannot append) and a
local folder are written the same way:

    <uri>/date=YYYY-MM-DD/<host>-<pid>-<unixstart>-<seq>.jsonl

Each line is {"ts", "request_id", "model_version", "features", "prediction",
"probability"}; ts is ISO 8601 in UTC. Only feature values, the prediction,
the model version and the request id are written: no headers, no client
addresses, nothing else of the request. A failed write is logged and counted
(model_inference_log_failures_total; that flush's rows are lost); when the
buffer is full, new rows are dropped and counted
(model_inference_log_dropped_rows_total) instead of growing memory.
"""

import logging
import os
import random
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import orjson

from .metrics import ServiceMetrics

logger = logging.getLogger(__name__)

_Pending = tuple[float, str, str, Sequence[Sequence[float]], Sequence[float]]
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


class InferenceLog:
    def __init__(
        self,
        uri: str,
        features: Sequence[str],
        metrics: ServiceMetrics,
        *,
        sample_rate: float = 1.0,
        flush_seconds: float = 10.0,
        max_rows: int = 100_000,
    ) -> None:
        self.uri = uri.rstrip("/")
        self.features = tuple(features)
        self.metrics = metrics
        self.sample_rate = sample_rate
        self.flush_seconds = flush_seconds
        self.max_rows = max_rows
        self._pending: deque[_Pending] = deque()
        self._pending_rows = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        host = _UNSAFE_NAME.sub("_", socket.gethostname()) or "host"
        self._prefix = f"{host}-{os.getpid()}-{int(time.time())}"
        self._seq = 0

    def record(
        self,
        request_id: str,
        model_version: str,
        rows: Sequence[Sequence[float]],
        probabilities: Sequence[float],
    ) -> None:
        """Queue a scored batch (sampled per request); never raises, never blocks on I/O."""
        if self.sample_rate < 1.0 and random.random() >= self.sample_rate:  # noqa: S311 (sampling)
            return
        count = len(rows)
        with self._lock:
            if self._pending_rows + count > self.max_rows:
                self.metrics.inference_log_dropped.inc(count)
                return
            self._pending_rows += count
            self._pending.append((time.time(), request_id, model_version, rows, probabilities))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="inference-log", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread and write what is left (waits at most `timeout` seconds)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        else:
            self.flush()

    def flush(self) -> int:
        """Write the buffered rows now; the number written (0 on failure, which is counted)."""
        with self._lock:
            batch = list(self._pending)
            self._pending.clear()
            self._pending_rows = 0
        if not batch:
            return 0
        by_day: dict[str, list[bytes]] = {}
        for ts, request_id, version, rows, probabilities in batch:
            stamp = datetime.fromtimestamp(ts, UTC)
            lines = by_day.setdefault(stamp.strftime("%Y-%m-%d"), [])
            iso = stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            for values, probability in zip(rows, probabilities, strict=True):
                record = {
                    "ts": iso,
                    "request_id": request_id,
                    "model_version": version,
                    "features": dict(zip(self.features, values, strict=True)),
                    "prediction": int(probability >= 0.5),
                    "probability": probability,
                }
                lines.append(orjson.dumps(record))
        written = 0
        for day, lines in by_day.items():
            self._seq += 1
            name = f"date={day}/{self._prefix}-{self._seq:06d}.jsonl"
            try:
                _write(f"{self.uri}/{name}", b"\n".join(lines) + b"\n")
            except Exception as error:  # any sink failure: counted and logged, never raised
                self.metrics.inference_log_failures.inc()
                logger.warning(
                    "inference log not written",
                    extra={"target": redact(f"{self.uri}/{name}"), "error": repr(error)},
                )
                continue
            written += len(lines)
            self.metrics.inference_log_rows.inc(len(lines))
        return written

    def _run(self) -> None:
        while not self._stop.wait(self.flush_seconds):
            self.flush()
        self.flush()


def _write(target: str, data: bytes) -> None:
    if "://" not in target or target.startswith("file://"):
        path = Path(target.removeprefix("file://"))
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader never sees half a file (dot files are not .jsonl).
        partial = path.with_name(f".{path.name}.partial")
        partial.write_bytes(data)
        os.replace(partial, path)
        return
    # Object storage only; needs the cloud's fsspec implementation (s3fs, gcsfs or adlfs).
    import fsspec

    with fsspec.open(target, "wb") as file:
        file.write(data)


def redact(uri: str) -> str:
    """The URI without user or password, for logs."""
    parts = urlsplit(uri)
    if parts.username is None and parts.password is None:
        return uri
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
