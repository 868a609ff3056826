import json
import threading
from datetime import UTC, date, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import fsspec
import numpy as np
import pandas as pd
import pytest

from {{packageName}}.data import load_frame
from {{packageName}}.drift import (
    detect_drift,
    main,
    population_stability_index,
    read_current,
    read_inference_log,
)
from {{packageName}}.features import FEATURES
from {{packageName}}.reference import build_profile
from {{packageName}}.settings import Settings

from tests.helpers import env


def test_psi_is_zero_for_identical_shares_and_grows_with_shift() -> None:
    shares = np.full(10, 0.1)
    assert population_stability_index(shares, shares) == pytest.approx(0.0)
    shifted = np.array([0.0] * 5 + [0.2] * 5)
    assert population_stability_index(shares, shifted) > 0.2


def test_same_distribution_does_not_drift(settings: Settings) -> None:
    frame = load_frame()
    profile = build_profile(frame.iloc[::2], seed=1)
    results = detect_drift(profile, frame.iloc[1::2], settings)
    assert [result.feature for result in results] == list(FEATURES)
    assert not any(result.drifted for result in results)


def test_a_shifted_feature_drifts(settings: Settings) -> None:
    frame = load_frame()
    profile = build_profile(frame, seed=1)
    current = frame.copy()
    current["mean_radius"] = current["mean_radius"] * 1.5
    results = detect_drift(profile, current, settings)
    assert {result.feature for result in results if result.drifted} == {"mean_radius"}


def write_inference_log(root: Path, day: date, frame: pd.DataFrame) -> Path:
    """Rows as the service logs them: <root>/date=YYYY-MM-DD/<file>.jsonl."""
    path = root / f"date={day.isoformat()}" / "part-0.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for index, row in enumerate(frame[list(FEATURES)].to_dict(orient="records")):
            record = {
                "ts": f"{day.isoformat()}T12:00:00Z",
                "request_id": f"r{index}",
                "model_version": "1",
                "features": row,
                "prediction": 1,
                "probability": 0.9,
            }
            handle.write(json.dumps(record) + "\n")
    return path


def test_cli_reports_and_exits_non_zero_on_drift(
    trained_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(env("ARTIFACTS_DIR"), str(trained_settings.artifacts_dir))
    frame = load_frame()
    same = tmp_path / "same.csv"
    frame[list(FEATURES)].to_csv(same, index=False)
    reports = tmp_path / "reports"
    capsys.readouterr()
    assert main(["--current", str(same), "--report-dir", str(reports)]) == 0
    assert json.loads(capsys.readouterr().out)["drifted"] == []
    assert json.loads((reports / "drift.json").read_text())["rows"] == len(frame)
    assert "| mean_radius |" in (reports / "drift.md").read_text()

    shifted: pd.DataFrame = frame[list(FEATURES)].copy()
    shifted["worst_area"] = shifted["worst_area"] + 2 * shifted["worst_area"].std()
    path = tmp_path / "recent.csv"
    shifted.to_csv(path, index=False)
    assert main(["--current", path.as_uri(), "--report-dir", str(reports)]) == 1
    assert "worst_area" in json.loads(capsys.readouterr().out)["drifted"]
    assert "**yes**" in (reports / "drift.md").read_text()


def test_cli_reads_the_recent_window_of_the_inference_log(
    trained_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(env("ARTIFACTS_DIR"), str(trained_settings.artifacts_dir))
    monkeypatch.setenv(env("INFERENCE_LOG_URI"), str(tmp_path / "inference"))
    frame = load_frame()
    today = datetime.now(UTC).date()
    write_inference_log(tmp_path / "inference", today, frame.iloc[:200])
    write_inference_log(tmp_path / "inference", today - timedelta(days=1), frame.iloc[200:400])
    # Outside the 7-day window: shifted rows that must not count.
    old = frame.iloc[:100].copy()
    old["worst_area"] = old["worst_area"] * 10
    write_inference_log(tmp_path / "inference", today - timedelta(days=30), old)
    capsys.readouterr()
    assert main(["--report-dir", str(tmp_path / "reports")]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rows"] == 400
    assert "2 files" in report["source"]


def test_no_recent_inference_data_fails_loudly(
    trained_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(env("ARTIFACTS_DIR"), str(trained_settings.artifacts_dir))
    monkeypatch.setenv(env("INFERENCE_LOG_URI"), str(tmp_path / "empty"))
    monkeypatch.delenv(env("DRIFT_DATA_PATH"), raising=False)
    capsys.readouterr()
    assert main(["--require-current", "--report-dir", str(tmp_path / "reports")]) == 2
    assert "no inference records in" in capsys.readouterr().out
    assert not (tmp_path / "reports").exists()
    few = tmp_path / "few.csv"
    load_frame()[list(FEATURES)].head(3).to_csv(few, index=False)
    assert main(["--current", str(few)]) == 2


def test_recent_data_is_read_from_urls(tmp_path: Path) -> None:
    frame = load_frame()[list(FEATURES)]
    frame.to_csv(tmp_path / "recent.csv", index=False)
    write_inference_log(tmp_path / "log", date(2030, 1, 2), frame.head(60))
    with fsspec.open("memory://drift/recent.csv", "w") as handle:
        frame.to_csv(handle, index=False)
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/recent.csv"
        assert len(read_current(url)) == len(frame)
    finally:
        server.shutdown()
    assert len(read_current("memory://drift/recent.csv")) == len(frame)
    assert len(read_current((tmp_path / "recent.csv").as_uri())) == len(frame)
    assert len(read_current(str(tmp_path / "log/date=2030-01-02/part-0.jsonl"))) == 60
    rows, files = read_inference_log((tmp_path / "log").as_uri(), 2, date(2030, 1, 3))
    assert (len(rows), len(files)) == (60, 1)


def _filesystem_class_names(protocol: str) -> set[str]:
    """Names of the class fsspec uses for `protocol` and of its bases (plugins may subclass)."""
    return {cls.__name__ for cls in fsspec.get_filesystem_class(protocol).__mro__}


def test_the_cloud_object_store_is_readable() -> None:
    """The filesystem of the cloud's object storage is installed with the service."""
{{#if isAws}}
    assert "S3FileSystem" in _filesystem_class_names("s3")
{{/if}}
{{#if isGcp}}
    assert "GCSFileSystem" in _filesystem_class_names("gs")
{{/if}}
{{#if isAzure}}
    assert "AzureBlobFileSystem" in _filesystem_class_names("az")
{{/if}}
    assert "HTTPFileSystem" in _filesystem_class_names("https")
