"""Who may call {{predictPath}}: the API keys of the file that
{{envPrefix}}API_KEYS_FILE names.

With the file set (the Kubernetes manifests mount it from the Secret
{{apiKeys.secret}}), a request must carry one of its keys, as
`Authorization: Bearer <key>` or `X-API-Key: <key>`; anything else is a 401
before the body is read. The file holds one key per line; blank lines and
lines starting with # are skipped. It is re-read when it changes (checked at
most every few seconds), so a rotated Secret takes effect without a restart.
A file that is missing or holds no key makes the service not ready (and
{{predictPath}} 503) rather than open. Unset, no key is needed: local development.

Keys are kept only as SHA-256 digests and compared in constant time.
"""

import hashlib
import hmac
import logging
import os
import time
from pathlib import Path

logger = logging.getLogger(__name__)

# How often the file's metadata is looked at for a rotation.
_RECHECK_SECONDS = 5.0
_AUTHORIZATION = b"authorization"
_API_KEY = b"x-api-key"


class ApiKeys:
    """The accepted keys, re-read from their file when it changes."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.problem: str | None = None
        self._digests: tuple[bytes, ...] = ()
        self._stamp: tuple[int, int, int] | None = None
        self._checked = float("-inf")
        self._count = 0
        if path is not None:
            self._reload()

    @property
    def required(self) -> bool:
        return self.path is not None

    def check(self) -> str | None:
        """Re-reads the file when due; why it is unusable, or None when keys are loaded."""
        if self.path is not None:
            now = time.monotonic()
            if now - self._checked >= _RECHECK_SECONDS:
                self._reload(now)
        return self.problem

    def allows(self, headers: list[tuple[bytes, bytes]]) -> bool:
        """Whether the request headers carry an accepted key (always, with no file set)."""
        if self.path is None:
            return True
        self.check()
        presented = _presented_key(headers)
        if presented is None or not self._digests:
            return False
        digest = hashlib.sha256(presented).digest()
        # Every digest is compared, so the time taken does not tell which key nearly matched.
        matched = False
        for accepted in self._digests:
            matched |= hmac.compare_digest(digest, accepted)
        return matched

    def _reload(self, now: float | None = None) -> None:
        if self.path is None:
            return
        self._checked = time.monotonic() if now is None else now
        try:
            info = os.stat(self.path)
        except OSError as error:
            self._set_problem(f"API keys file {self.path} cannot be read: {error.strerror}")
            return
        stamp = (info.st_mtime_ns, info.st_ino, info.st_size)
        if stamp == self._stamp:
            return
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self._set_problem(f"API keys file {self.path} cannot be read: {error}")
            return
        keys = [line.strip() for line in text.splitlines()]
        keys = [key for key in keys if key and not key.startswith("#")]
        self._stamp = stamp
        self._digests = tuple(hashlib.sha256(key.encode()).digest() for key in keys)
        if not keys:
            self._set_problem(f"API keys file {self.path} holds no key")
            return
        if self.problem is not None or len(keys) != self._count:
            logger.info("API keys loaded", extra={"keys": len(keys), "file": str(self.path)})
        self._count = len(keys)
        self.problem = None

    def _set_problem(self, problem: str) -> None:
        if problem != self.problem:
            logger.error("API keys unavailable", extra={"reason": problem})
        self.problem = problem
        self._digests = ()
        self._stamp = None


def _presented_key(headers: list[tuple[bytes, bytes]]) -> bytes | None:
    for name, value in headers:
        if name == _AUTHORIZATION:
            scheme, _, token = value.partition(b" ")
            if scheme.lower() == b"bearer" and token.strip():
                return token.strip()
        elif name == _API_KEY and value.strip():
            return value.strip()
    return None
