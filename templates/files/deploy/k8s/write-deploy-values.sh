#!/bin/sh
# Writes deploy/k8s/overlays/ENVIRONMENT/deploy-values.env from KEY=VALUE
# arguments. The keys are those of deploy-values.example.env; every one is
# required and none may be empty (except MODEL_VERSION, whose empty value means
# "follow the alias"), so an overlay never deploys a guessed value.
#
#   deploy/k8s/write-deploy-values.sh staging IMAGE=... GIT_SHA=... MODEL_VERSION=... [KEY=VALUE...]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
usage() {
  echo "usage: $0 staging|prod KEY=VALUE..." >&2
  echo "keys: $(sed -n 's/^\([A-Z_][A-Z0-9_]*\)=.*/\1/p' "$here/deploy-values.example.env" | tr '\n' ' ')" >&2
  exit 2
}

[ "$#" -ge 1 ] || usage
environment=$1
shift
case "$environment" in
  staging | prod) ;;
  *) usage ;;
esac

keys=$(sed -n 's/^\([A-Z_][A-Z0-9_]*\)=.*/\1/p' "$here/deploy-values.example.env")
target="$here/overlays/$environment/deploy-values.env"
tmp="$target.tmp"
trap 'rm -f "$tmp"' EXIT
: >"$tmp"

for pair in "$@"; do
  key=${pair%%=*}
  value=${pair#*=}
  if [ "$key" = "$pair" ] || ! printf '%s\n' "$keys" | grep -qx "$key"; then
    echo "error: unknown argument '$pair' (expected KEY=VALUE with KEY one of: $(printf '%s' "$keys" | tr '\n' ' '))" >&2
    exit 2
  fi
  if [ "$key" = MODEL_VERSION ]; then
    # A registry version number, or empty to follow the alias when a pod starts.
    case "$value" in
      *[!0-9]*)
        echo "error: MODEL_VERSION must be a model version number (or empty), got '$value'" >&2
        exit 2
        ;;
    esac
  else
    case "$value" in
      "" | *[[:space:]]*)
        echo "error: $key must be a non-empty value without spaces" >&2
        exit 2
        ;;
    esac
  fi
  printf '%s=%s\n' "$key" "$value" >>"$tmp"
done

for key in $keys; do
  if ! grep -q "^$key=" "$tmp"; then
    echo "error: $key is required for the $environment overlay" >&2
    exit 2
  fi
done

mv "$tmp" "$target"
echo "wrote $target"
