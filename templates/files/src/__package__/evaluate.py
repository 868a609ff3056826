"""Quality gate: may the {{challengerAlias}} replace the {{championAlias}}? Exits 1 when it may not.

    python -m {{packageName}}.evaluate [--version N] [--data PATH]

Both models are scored on the same held-out split (same seed), so the
comparison is fair. The candidate must reach settings.min_accuracy and
settings.min_roc_auc and lose at most settings.max_regression on any
metric against the champion. The verdict is tagged on the candidate version;
promote refuses versions that did not pass. CI relies on the exit code.
"""

import argparse
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .data import load_frame, split
from .logging_config import configure_logging
from .model import score
from .registry import CHALLENGER, CHAMPION, GATE_TAG, RegistryError, open_registry
from .settings import Settings

logger = logging.getLogger(__name__)


@dataclass
class GateResult:
    candidate_version: str
    champion_version: str | None
    candidate: dict[str, float]
    champion: dict[str, float] | None
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def compare(
    candidate: dict[str, float], champion: dict[str, float] | None, settings: Settings
) -> list[str]:
    """Every reason the candidate fails the gate (empty when it passes)."""
    failures = []
    floors = {"accuracy": settings.min_accuracy, "roc_auc": settings.min_roc_auc}
    for metric, floor in floors.items():
        if candidate[metric] < floor:
            failures.append(f"{metric} {candidate[metric]:.4f} is below the floor {floor:.4f}")
    for metric, value in (champion or {}).items():
        if metric in candidate and candidate[metric] < value - settings.max_regression:
            failures.append(
                f"{metric} {candidate[metric]:.4f} is worse than the champion's {value:.4f} "
                f"by more than {settings.max_regression:.4f}"
            )
    return failures


def evaluate(
    settings: Settings, version: str | None = None, data: Path | None = None
) -> GateResult:
    registry = open_registry(settings)
    candidate_version = version or registry.version_for(CHALLENGER)
    if candidate_version is None:
        raise RegistryError(f"no version has the alias {CHALLENGER!r}: run training first")
    frame = load_frame(data or settings.data_path)
    _, x_test, _, y_test = split(frame, settings.test_size, settings.random_seed)
    candidate = score(registry.load_version(candidate_version).model, x_test, y_test)
    champion_version = registry.version_for(CHAMPION)
    champion = None
    if champion_version is not None and champion_version != candidate_version:
        champion = score(registry.load_version(champion_version).model, x_test, y_test)
    result = GateResult(
        candidate_version=candidate_version,
        champion_version=champion_version,
        candidate=candidate,
        champion=champion,
        failures=compare(candidate, champion, settings),
    )
    registry.set_tag(candidate_version, GATE_TAG, "passed" if result.passed else "failed")
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m {{packageName}}.evaluate",
        description=__doc__,
    )
    parser.add_argument("--version", default=None, help="candidate (default: the challenger)")
    parser.add_argument("--data", type=Path, default=None, help="CSV with FEATURES and 'target'")
    parser.add_argument("--report", type=Path, default=None, help="also write the report here")
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level)
    result = evaluate(settings, args.version, args.data)
    report = json.dumps({**asdict(result), "passed": result.passed}, indent=2)
    if args.report is not None:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(report + "\n", encoding="utf-8")
    print(report)
    if not result.passed:
        logger.error("quality gate failed", extra={"failures": result.failures})
        return 1
    logger.info("quality gate passed", extra={"version": result.candidate_version})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
