"""Starts the MLflow tracking server with MLflow's own authentication on.

How deploy/k8s/components/mlflow runs the image: `python /opt/mlflow/auth_server.py`
followed by the arguments of `mlflow server`, which it passes on with `--app-name
basic-auth`. Every request then needs a user and password, except /health.

Users and their grants are kept in the backend store's database (MLflow's auth tables
sit beside the tracking tables, with their own migrations), so they survive restarts.
Before the server starts, this script makes that store hold the users of
MLFLOW_AUTH_USERS_DIR: one file per user, named by the user and holding its password
(the Secret {{mlflowAuth.usersSecret}}, mounted read-only). A missing user is created and a
changed password is set; a user whose file was removed is left in the store (delete it
with MLflow's users API). None of them is an admin. With default_permission READ each
reads every experiment, model and artifact, and changes only what it created or was
granted: the training identity creates the model, the serving identity only reads it.

The admin user (MLFLOW_AUTH_ADMIN_USERNAME, MLFLOW_AUTH_ADMIN_PASSWORD) is created by
MLflow itself on its first start; MLFLOW_FLASK_SERVER_SECRET_KEY signs its forms.
Exit 2, before the server starts, when any of this is missing or malformed.
"""

import configparser
import os
import re
import sys
from pathlib import Path

USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# MLflow's own rule for passwords.
MIN_PASSWORD = 12


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def required(name: str, why: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        fail(f"{name} is not set: {why}")
    return value


def read_users(folder: Path, admin: str) -> dict[str, str]:
    """The users of `folder`: file name, password (the file's text without its final newline)."""
    if not folder.is_dir():
        fail(
            f"MLFLOW_AUTH_USERS_DIR {folder} is not a directory: "
            "mount the Secret {{mlflowAuth.usersSecret}} there"
        )
    users: dict[str, str] = {}
    # A mounted Secret also holds the kubelet's ..data links: names starting with a dot.
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if not USER_NAME.fullmatch(entry.name):
            fail(
                f"user file {entry.name!r} in {folder}: a user name is letters, digits, "
                "'.', '_' and '-' (64 at most)"
            )
        if entry.name == admin:
            fail(
                f"user file {entry.name!r} in {folder} names the admin user: "
                "its password is MLFLOW_AUTH_ADMIN_PASSWORD"
            )
        if not entry.is_file():
            fail(f"user file {entry.name!r} in {folder} is not a regular file")
        password = entry.read_text(encoding="utf-8").removesuffix("\n")
        if len(password) < MIN_PASSWORD or "\n" in password:
            fail(
                f"the password of user {entry.name!r} must be one line "
                f"of at least {MIN_PASSWORD} characters"
            )
        users[entry.name] = password
    if not users:
        fail(
            f"MLFLOW_AUTH_USERS_DIR {folder} holds no user: "
            "the Secret {{mlflowAuth.usersSecret}} has one key per user"
        )
    return users


def write_config(path: Path, database: str, admin: str) -> None:
    """MLflow's auth configuration; it reads the file with interpolation, so '%' is doubled."""
    config = configparser.ConfigParser(interpolation=None)
    config["mlflow"] = {
        "default_permission": "READ",
        "database_uri": database.replace("%", "%%"),
        "admin_username": admin,
        "authorization_function": "mlflow.server.auth:authenticate_request_basic_auth",
    }
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        config.write(handle)


def sync_users(database: str, users: dict[str, str]) -> None:
    from mlflow.server.auth.sqlalchemy_store import SqlAlchemyStore

    store = SqlAlchemyStore()
    store.init_db(database)
    for name, password in users.items():
        if not store.has_user(name, use_primary=True):
            store.create_user(name, password)
            print(f"mlflow auth: created user {name}", file=sys.stderr)
        elif not store.authenticate_user(name, password, use_primary=True):
            store.update_user(name, password=password)
            print(f"mlflow auth: set the new password of user {name}", file=sys.stderr)


def main(arguments: list[str]) -> None:
    backend = required(
        "MLFLOW_BACKEND_STORE_URI", "the users are kept in the backend store's database"
    )
    database = os.environ.get("MLFLOW_AUTH_DATABASE_URI") or backend
    required(
        "MLFLOW_AUTH_ADMIN_PASSWORD", "MLflow creates its admin user with it on the first start"
    )
    required("MLFLOW_FLASK_SERVER_SECRET_KEY", "MLflow's auth app signs its forms with it")
    admin = os.environ.get("MLFLOW_AUTH_ADMIN_USERNAME") or "admin"
    folder = Path(os.environ.get("MLFLOW_AUTH_USERS_DIR", "{{mlflowAuth.usersDir}}"))
    users = read_users(folder, admin)
    # /tmp is the pod's own emptyDir (the root filesystem is read-only); the folder is made 0700.
    config_dir = os.environ.get("MLFLOW_AUTH_CONFIG_DIR", "/tmp/mlflow-auth")  # noqa: S108
    config = Path(config_dir) / "basic_auth.ini"
    write_config(config, database, admin)
    sync_users(database, users)
    os.environ["MLFLOW_AUTH_CONFIG_PATH"] = str(config)
    # The mlflow of this interpreter, whatever PATH says, in place of this process (no shell:
    # the arguments are the Deployment's, passed on as they are).
    command = [sys.executable, "-m", "mlflow", "server", "--app-name", "basic-auth", *arguments]
    os.execv(sys.executable, command)  # noqa: S606


if __name__ == "__main__":
    main(sys.argv[1:])
