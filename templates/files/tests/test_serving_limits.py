"""The limits that keep one request from taking the server down, through the real app."""

import json
from collections.abc import Iterator, MutableMapping
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient

from {{packageName}}.features import EXAMPLE_ROW, FEATURES
from {{packageName}}.serving.app import create_app
from {{packageName}}.settings import Settings

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def client(trained_settings: Settings) -> Iterator[TestClient]:
    limits = {"max_batch_size": 5, "max_body_bytes": 20_000, "max_validation_errors": 4}
    with TestClient(create_app(trained_settings.model_copy(update=limits))) as test_client:
        yield test_client


def test_a_body_over_the_limit_is_a_413_whatever_it_contains(client: TestClient) -> None:
    empty_rows = b'{"rows": [' + b",".join([b"{}"] * 20_000) + b"]}"
    response = client.post("{{predictPath}}", content=empty_rows, headers=JSON)
    assert response.status_code == 413
    [error] = response.json()["detail"]
    assert error["type"] == "too_large"
    assert error["ctx"] == {"max_bytes": "20000"}
    assert response.headers["connection"] == "close"


def test_a_chunked_body_is_counted_as_it_streams(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"rows": ['
        for _ in range(5_000):
            yield b"[[[[[[[[]]]]]]]],"
        yield b"]}"

    response = client.post("{{predictPath}}", content=chunks(), headers=JSON)
    assert response.status_code == 413


def test_the_row_limit_comes_before_per_row_validation(client: TestClient) -> None:
    response = client.post("{{predictPath}}", json={"rows": [{}] * 1_000})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "rows"]
    assert error["type"] == "too_long"
    assert error["ctx"] == {"max_length": "5", "actual_length": "1000"}


def test_validation_errors_are_capped(client: TestClient) -> None:
    rows = [{name: "x" for name in FEATURES}] * 5
    detail = client.post("{{predictPath}}", json={"rows": rows}).json()["detail"]
    assert len(detail) == 5
    assert [error["loc"][:3] for error in detail[:4]] == [["body", "rows", 0]] * 4
    assert detail[-1]["type"] == "too_many_errors"
    assert len(json.dumps(detail)) < 2_000


def test_deep_nesting_is_a_422(client: TestClient) -> None:
    deep = b'{"rows": [' + b"[" * 5_000 + b"]" * 5_000 + b"]}"
    response = client.post("{{predictPath}}", content=deep, headers=JSON)
    assert response.status_code == 422
    nested = b"[" * 5_000 + b"]" * 5_000
    assert client.post("{{predictPath}}", content=nested, headers=JSON).status_code == 422


@pytest.mark.parametrize("literal", [b"1e400", b"-1e400", b"Infinity", b"-Infinity", b"NaN"])
def test_non_finite_inputs_are_a_422(client: TestClient, literal: bytes) -> None:
    row = json.dumps({**EXAMPLE_ROW, "mean_area": 0.0}).encode().replace(b"0.0", literal, 1)
    response = client.post("{{predictPath}}", content=b'{"rows": [' + row + b"]}", headers=JSON)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:3] == ["body", "rows", 0]


@pytest.mark.parametrize("inline_max_rows", [16, 0])
@pytest.mark.parametrize("value", [1e308, -1e308])
def test_inputs_that_overflow_inside_the_model_are_a_422_naming_the_row(
    trained_settings: Settings, value: float, inline_max_rows: int
) -> None:
    settings = trained_settings.model_copy(update={"inline_max_rows": inline_max_rows})
    huge = {name: value for name in FEATURES}
    mixed = {name: value * (-1) ** index for index, name in enumerate(FEATURES)}
    with TestClient(create_app(settings)) as scoped:
        response = scoped.post("{{predictPath}}", json={"rows": [EXAMPLE_ROW, huge, mixed]})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [error["loc"] for error in detail] == [["body", "rows", 1], ["body", "rows", 2]]
    assert {error["type"] for error in detail} == {"non_finite_output"}


def test_a_body_that_does_not_arrive_in_time_is_a_408(trained_settings: Settings) -> None:
    # Straight through ASGI: the test client would read the whole body before the app runs.
    settings = trained_settings.model_copy(update={"request_timeout_seconds": 0.2})
    app = create_app(settings)
    sent: list[MutableMapping[str, Any]] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "{{predictPath}}",
        "raw_path": b"{{predictPath}}",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", {{port}}),
    }

    async def receive() -> dict[str, Any]:
        if not sent:
            await anyio.sleep(5)
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def call() -> float:
        started = anyio.current_time()
        await app(scope, receive, send)
        return anyio.current_time() - started

    assert anyio.run(call) < 2
    assert sent[0]["status"] == 408


def test_other_structural_errors_keep_their_field_level_messages(client: TestClient) -> None:
    extra = client.post("{{predictPath}}", json={"rows": [EXAMPLE_ROW], "more": 1}).json()
    assert ["body", "more"] in [error["loc"] for error in extra["detail"]]
    boolean = client.post("{{predictPath}}", json={"rows": [{**EXAMPLE_ROW, "mean_area": True}]})
    [error] = boolean.json()["detail"]
    assert error["loc"] == ["body", "rows", 0, "mean_area"]
    assert error["msg"] == "Input should be a valid number"
