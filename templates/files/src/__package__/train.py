"""Train a candidate model, record it as a new registry version and give it the {{challengerAlias}} alias.

    python -m {{packageName}}.train [--data PATH]

With MLFLOW_TRACKING_URI set the run is logged and the model registered in
MLflow; without it the version lands in the local registry under
settings.artifacts_dir. Either way the bundle holds the model, its metrics,
the data fingerprint and the reference profile that drift checks compare against.

The first champion: while no version has the {{championAlias}} alias, a candidate that
passes the quality gate becomes {{championAlias}} at once (settings.bootstrap_champion),
so a fresh repository, or a fresh cluster whose first training job ran, serves a
model without a manual promotion. Every later candidate waits for evaluate and promote.
"""

import argparse
import json
import logging
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import __version__
from .data import fingerprint, load_frame, split
from .evaluate import evaluate
from .features import FEATURES, LABELS
from .logging_config import configure_logging
from .model import build_pipeline, save_bundle, score, training_params
from .promote import promote
from .reference import build_profile, save_profile
from .registry import CHALLENGER, CHAMPION, open_registry
from .settings import Settings

logger = logging.getLogger(__name__)


def train(settings: Settings, data_path: Path | None = None) -> dict[str, Any]:
    """Fit, score, register and alias a candidate; return a summary of the run."""
    source = data_path or settings.data_path
    frame = load_frame(source)
    x_train, x_test, y_train, y_test = split(frame, settings.test_size, settings.random_seed)
    model = build_pipeline(settings)
    # Fitted on a plain array: serving passes arrays too, without per-call column checks.
    model.fit(x_train.to_numpy(dtype=float), y_train.to_numpy())
    metrics = score(model, x_test, y_test)
    metadata: dict[str, Any] = {
        "model_name": settings.model_name,
        "features": list(FEATURES),
        "labels": list(LABELS),
        "metrics": metrics,
        "params": training_params(settings),
        "data_source": str(source) if source else "bundled:sklearn.load_breast_cancer",
        "data_sha256": fingerprint(frame),
        "rows": {"train": len(x_train), "test": len(x_test)},
        "git_sha": settings.git_sha,
        "package_version": __version__,
        "python": sys.version.split()[0],
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    registry = open_registry(settings)
    with tempfile.TemporaryDirectory(prefix="bundle-") as staging:
        staging_dir = Path(staging)
        save_bundle(model, metadata, staging_dir)
        save_profile(build_profile(x_train, settings.random_seed), staging_dir)
        version = registry.register(staging_dir, model, x_test.head(5))
    registry.set_alias(CHALLENGER, version)
    summary = {
        "model_name": settings.model_name,
        "version": version,
        "alias": CHALLENGER,
        **metrics,
        "bootstrapped_champion": bootstrap_champion(settings, version, source),
    }
    logger.info("trained candidate", extra=summary)
    return summary


def bootstrap_champion(settings: Settings, version: str, data_path: Path | None) -> bool:
    """Make version the first champion if there is none and it passes the gate."""
    if not settings.bootstrap_champion or open_registry(settings).version_for(CHAMPION):
        return False
    gate = evaluate(settings, version, data_path)
    if not gate.passed:
        logger.warning("first candidate failed the quality gate", extra={"failures": gate.failures})
        return False
    promote(settings, version)
    logger.info("first champion", extra={"version": version})
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m {{packageName}}.train",
        description=__doc__,
    )
    parser.add_argument("--data", type=Path, default=None, help="CSV with FEATURES and 'target'")
    parser.add_argument("--summary", type=Path, default=None, help="also write the summary here")
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level)
    summary = json.dumps(train(settings, args.data), indent=2)
    if args.summary is not None:
        args.summary.parent.mkdir(parents=True, exist_ok=True)
        args.summary.write_text(summary + "\n", encoding="utf-8")
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
