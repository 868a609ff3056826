"""Roll the {{championAlias}} back to the version it replaced (or to --version N).

    python -m {{packageName}}.rollback [--version N]

Then restart or roll out the service so it loads the restored champion
(docs/runbook.md, "Roll back a model").
"""

import argparse
import json
import logging
from collections.abc import Sequence
from typing import Any

from .logging_config import configure_logging
from .registry import CHAMPION, PREVIOUS_CHAMPION, RegistryError, open_registry
from .settings import Settings

logger = logging.getLogger(__name__)


def rollback(settings: Settings, version: str | None = None) -> dict[str, Any]:
    registry = open_registry(settings)
    target = version or registry.version_for(PREVIOUS_CHAMPION)
    if target is None:
        raise RegistryError(
            f"no version has the alias {PREVIOUS_CHAMPION!r}; pass --version N to choose one"
        )
    replaced = registry.version_for(CHAMPION)
    registry.set_alias(CHAMPION, target)
    # The previous champion is now in service: a second rollback needs an explicit version.
    registry.delete_alias(PREVIOUS_CHAMPION)
    result = {"champion": target, "replaced": replaced}
    logger.warning("rolled back", extra=result)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m {{packageName}}.rollback",
        description=__doc__,
    )
    parser.add_argument("--version", default=None, help="version (default: the previous)")
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level)
    try:
        result = rollback(settings, args.version)
    except RegistryError as error:
        logger.error("rollback refused", extra={"reason": str(error)})
        return 1
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
