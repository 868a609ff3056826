"""Turns a /predict body into rows of floats, or into bounded field-level errors.

A valid body takes one pass through msgspec, in C: JSON to typed rows. Only a
body that fails it takes the slow path, which explains why in
the words pydantic uses for the OpenAPI schema (FeatureRow), in steps whose
cost is bounded: the outer structure is checked without building the rows,
the row count before any row is validated, and validation stops after
`max_errors` errors. Inputs are never echoed back: they may be large or
sensitive.
"""

from collections.abc import Callable, Iterable
from typing import Any

import msgspec
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..features import FEATURES, FeatureRow

# Field order is FEATURES order, so a row's values are a matrix row as they are.
# The structs are built from FEATURES at import, so type checkers see them as Any.
_Row: Any = msgspec.defstruct(
    "Row", [(name, float) for name in FEATURES], forbid_unknown_fields=True, gc=False
)
_Body: Any = msgspec.defstruct("Body", [("rows", list[_Row])], forbid_unknown_fields=True)
_Outline: Any = msgspec.defstruct(
    "Outline", [("rows", list[msgspec.Raw])], forbid_unknown_fields=True
)
_decode_body = msgspec.json.Decoder(_Body).decode
_decode_outline = msgspec.json.Decoder(_Outline).decode
_astuple = msgspec.structs.astuple
# Longest message kept per error: pydantic quotes parts of the input in a few of them.
_MAX_MESSAGE = 200

ErrorDetail = dict[str, Any]


class InvalidBodyError(Exception):
    """The body is not a valid batch; `errors` is the 422 answer's detail list."""

    def __init__(self, errors: list[ErrorDetail]) -> None:
        super().__init__(f"{len(errors)} validation error(s)")
        self.errors = errors


class _Envelope(BaseModel):
    """The outer shape only: explains a body whose structure msgspec refused."""

    model_config = ConfigDict(extra="forbid", strict=True)

    rows: list[Any] = Field(min_length=1)


def parse_rows(body: bytes, max_rows: int, max_errors: int) -> list[tuple[float, ...]]:
    """The rows of a valid body, each a tuple of floats in FEATURES order; else InvalidBodyError."""
    try:
        rows = _decode_body(body).rows
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        raise InvalidBodyError(explain(body, max_rows, max_errors)) from None
    if not 1 <= len(rows) <= max_rows:
        raise InvalidBodyError([row_count_error(len(rows), max_rows)])
    return [_astuple(row) for row in rows]


def explain(body: bytes, max_rows: int, max_errors: int) -> list[ErrorDetail]:
    """Field-level errors of an invalid body: at most max_errors, plus a note when cut."""
    try:
        raw_rows = _decode_outline(body).rows
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError) as error:
        return _outline_errors(body, error, max_rows, max_errors)
    if not 1 <= len(raw_rows) <= max_rows:
        return [row_count_error(len(raw_rows), max_rows)]
    rows = (bytes(raw) for raw in raw_rows)
    errors = _row_errors(rows, FeatureRow.model_validate_json, max_errors)
    # pydantic accepts rows msgspec refused (not expected): still a client error, never a 500.
    return errors or [{"type": "value_error", "loc": ["body", "rows"], "msg": "invalid rows"}]


def row_count_error(count: int, max_rows: int) -> ErrorDetail:
    if count == 0:
        return {
            "type": "too_short",
            "loc": ["body", "rows"],
            "msg": "List should have at least 1 item after validation, not 0",
            "ctx": {"field_type": "List", "min_length": "1", "actual_length": "0"},
        }
    return {
        "type": "too_long",
        "loc": ["body", "rows"],
        "msg": f"at most {max_rows} rows per request, got {count}",
        "ctx": {"max_length": str(max_rows), "actual_length": str(count)},
    }


def _outline_errors(
    body: bytes, error: Exception, max_rows: int, max_errors: int
) -> list[ErrorDetail]:
    if isinstance(error, RecursionError):
        return [{"type": "json_invalid", "loc": ["body"], "msg": "JSON nested too deeply"}]
    try:
        envelope = _Envelope.model_validate_json(body)
    except ValidationError as invalid:
        return _capped(_from_pydantic(invalid, ["body"]), max_errors)
    # pydantic parsed what msgspec refused, for example NaN or Infinity literals: explain the rows.
    if len(envelope.rows) > max_rows:
        return [row_count_error(len(envelope.rows), max_rows)]
    errors = _row_errors(envelope.rows, FeatureRow.model_validate, max_errors)
    return errors or [{"type": "json_invalid", "loc": ["body"], "msg": _short(str(error))}]


def _row_errors(
    rows: Iterable[Any], validate: Callable[[Any], Any], max_errors: int
) -> list[ErrorDetail]:
    errors: list[ErrorDetail] = []
    for index, row in enumerate(rows):
        try:
            validate(row)
        except ValidationError as invalid:
            errors.extend(_from_pydantic(invalid, ["body", "rows", index]))
        if len(errors) > max_errors:
            return _capped(errors, max_errors)
    return errors


def _from_pydantic(invalid: ValidationError, prefix: list[Any]) -> list[ErrorDetail]:
    details: list[ErrorDetail] = []
    for item in invalid.errors(include_url=False, include_input=False):
        detail: ErrorDetail = {
            "type": item["type"],
            "loc": [*prefix, *item["loc"]],
            "msg": _short(item["msg"]),
        }
        if "ctx" in item:
            detail["ctx"] = {key: _short(str(value)) for key, value in item["ctx"].items()}
        details.append(detail)
    return details


def _capped(errors: list[ErrorDetail], max_errors: int) -> list[ErrorDetail]:
    if len(errors) <= max_errors:
        return errors
    note = {
        "type": "too_many_errors",
        "loc": ["body"],
        "msg": f"only the first {max_errors} errors are listed",
        "ctx": {"max_errors": str(max_errors)},
    }
    return [*errors[:max_errors], note]


def _short(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."
