"""The inference log: what /predict scored, as JSON Lines the drift job reads."""

import json
import re
import time
from pathlib import Path

from fastapi.testclient import TestClient

from {{packageName}}.features import EXAMPLE_ROW, FEATURES
from {{packageName}}.serving.app import create_app
from {{packageName}}.serving.inference_log import InferenceLog, redact
from {{packageName}}.serving.metrics import ServiceMetrics
from {{packageName}}.settings import Settings

_FILE = re.compile(r"^date=\d{4}-\d{2}-\d{2}/[A-Za-z0-9._-]+-\d+-\d+-\d{6}\.jsonl$")


def _records(root: Path) -> list[dict[str, object]]:
    files = sorted(root.rglob("*.jsonl"))
    for file in files:
        assert _FILE.match(file.relative_to(root).as_posix()), file
    return [json.loads(line) for file in files for line in file.read_text().splitlines()]


def test_the_service_records_every_scored_row_with_version_and_request_id(
    trained_settings: Settings, tmp_path: Path
) -> None:
    settings = trained_settings.model_copy(update={"inference_log_uri": str(tmp_path / "log")})
    with TestClient(create_app(settings)) as client:
        headers = {"X-Request-ID": "req-7"}
        body = {"rows": [EXAMPLE_ROW, {**EXAMPLE_ROW, "mean_radius": 30.0}]}
        scored = client.post("{{predictPath}}", json=body, headers=headers).json()
        client.post("{{predictPath}}", json={"rows": []})  # a 422 records nothing
    # Closing the app flushed the buffer.
    records = _records(tmp_path / "log")
    assert len(records) == 2
    for record, prediction, row in zip(records, scored["predictions"], body["rows"], strict=True):
        assert set(record) == {
            "ts",
            "request_id",
            "model_version",
            "features",
            "prediction",
            "probability",
        }
        assert record["request_id"] == "req-7"
        assert record["model_version"] == "1"
        assert record["features"] == row
        assert list(row) == list(FEATURES)
        assert record["prediction"] == prediction["label"]
        assert record["probability"] == prediction["probability"]
        assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", str(record["ts"]))


def test_sampling_zero_records_nothing(trained_settings: Settings, tmp_path: Path) -> None:
    update = {"inference_log_uri": str(tmp_path / "log"), "inference_sample_rate": 0.0}
    with TestClient(create_app(trained_settings.model_copy(update=update))) as client:
        assert client.post("{{predictPath}}", json={"rows": [EXAMPLE_ROW]}).status_code == 200
    assert not (tmp_path / "log").exists()


def test_a_failing_sink_is_counted_and_never_raises(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the log folder should be")
    metrics = ServiceMetrics()
    log = InferenceLog(str(blocker), FEATURES, metrics)
    log.record("r1", "1", [tuple(EXAMPLE_ROW.values())], [0.5])
    assert log.flush() == 0
    assert metrics.registry.get_sample_value("model_inference_log_failures_total") == 1.0
    assert metrics.registry.get_sample_value("model_inference_log_rows_total") == 0.0


def test_a_full_buffer_drops_and_counts_instead_of_growing(tmp_path: Path) -> None:
    metrics = ServiceMetrics()
    log = InferenceLog(str(tmp_path), FEATURES, metrics, max_rows=3)
    row = tuple(EXAMPLE_ROW.values())
    log.record("r1", "1", [row, row], [0.1, 0.2])
    log.record("r2", "1", [row, row], [0.3, 0.4])
    dropped = metrics.registry.get_sample_value("model_inference_log_dropped_rows_total")
    assert dropped == 2.0
    assert log.flush() == 2
    assert [record["request_id"] for record in _records(tmp_path)] == ["r1", "r1"]


def test_the_background_thread_writes_without_a_request_waiting(tmp_path: Path) -> None:
    metrics = ServiceMetrics()
    log = InferenceLog(str(tmp_path), FEATURES, metrics, flush_seconds=0.05)
    log.start()
    log.record("r1", "1", [tuple(EXAMPLE_ROW.values())], [0.9])
    for _ in range(100):
        if list(tmp_path.rglob("*.jsonl")):
            break
        time.sleep(0.05)
    log.close()
    assert [record["probability"] for record in _records(tmp_path)] == [0.9]


def test_credentials_in_a_uri_never_reach_the_logs() -> None:
    assert redact("s3://key:secret@bucket/prefix/x.jsonl") == "s3://bucket/prefix/x.jsonl"
    assert redact("gs://bucket/x.jsonl") == "gs://bucket/x.jsonl"
