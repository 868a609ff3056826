"""Promote a candidate that passed the quality gate: move {{championAlias}} to it.

    python -m {{packageName}}.promote [--version N] [--force]

The version that was champion keeps the alias previous_{{championAlias}}, so
the rollback module can move the champion back (docs/runbook.md).
A server that follows the alias picks the new champion up when it restarts;
deployed pods serve a pinned version, and the release after a promotion
deploys the new one (docs/runbook.md). It prints the result as JSON on stdout.
"""

import argparse
import json
import logging
from collections.abc import Sequence
from typing import Any

from .logging_config import configure_logging
from .registry import (
    CHALLENGER,
    CHAMPION,
    GATE_TAG,
    PREVIOUS_CHAMPION,
    RegistryError,
    open_registry,
)
from .settings import Settings

logger = logging.getLogger(__name__)


def promote(settings: Settings, version: str | None = None, force: bool = False) -> dict[str, Any]:
    registry = open_registry(settings)
    candidate = version or registry.version_for(CHALLENGER)
    if candidate is None:
        raise RegistryError(f"nothing to promote: no version has the alias {CHALLENGER!r}")
    gate = registry.tags(candidate).get(GATE_TAG)
    if gate != "passed" and not force:
        raise RegistryError(
            f"version {candidate} has not passed the quality gate (tag {GATE_TAG}={gate}); "
            "run evaluate first, or pass --force to override"
        )
    previous = registry.version_for(CHAMPION)
    if previous == candidate:
        return {
            "champion": candidate,
            "previous": registry.version_for(PREVIOUS_CHAMPION),
            "changed": False,
        }
    if previous is not None:
        registry.set_alias(PREVIOUS_CHAMPION, previous)
    registry.set_alias(CHAMPION, candidate)
    result = {"champion": candidate, "previous": previous, "changed": True}
    logger.info("promoted", extra=result)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m {{packageName}}.promote",
        description=__doc__,
    )
    parser.add_argument("--version", default=None, help="version (default: the challenger)")
    parser.add_argument("--force", action="store_true", help="skip the quality gate check")
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level)
    try:
        result = promote(settings, args.version, args.force)
    except RegistryError as error:
        logger.error("promotion refused", extra={"reason": str(error)})
        return 1
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
