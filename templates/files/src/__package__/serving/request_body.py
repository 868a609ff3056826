"""Reads a request body under a size limit, before anything parses it.

A declared Content-Length above the limit is refused without reading a byte;
a body without one (chunked) is counted as it streams in and refused as soon
as it passes the limit, so a client can never make the server hold more than
the limit in memory.
"""

from starlette.types import Receive, Scope

_CONTENT_LENGTH = b"content-length"


class BodyTooLargeError(Exception):
    """The body is (or declares to be) larger than the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is larger than {limit} bytes")
        self.limit = limit


class ClientGoneError(Exception):
    """The client disconnected before it sent the whole body."""


def declared_length(scope: Scope) -> int | None:
    """The Content-Length header as a number, None when absent or not a number."""
    for name, value in scope["headers"]:
        if name == _CONTENT_LENGTH:
            return int(value) if value.isdigit() else None
    return None


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The whole body, at most `limit` bytes; raises BodyTooLargeError or ClientGoneError."""
    declared = declared_length(scope)
    if declared is not None and declared > limit:
        raise BodyTooLargeError(limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGoneError
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
