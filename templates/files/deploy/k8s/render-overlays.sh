#!/bin/sh
# Builds each overlay, and the cluster kustomization, with `kubectl kustomize`
# into OUT_DIR/<name>.yaml: the objects as they would be applied, which is what
# `make scan` gives checkov (the files under base/ alone lack the namespace,
# the image and the patches). An overlay without its deploy-values.env (it is
# written at deploy time) is built with the values of deploy-values.example.env,
# in a temporary copy: nothing under deploy/k8s is written.
#
#   deploy/k8s/render-overlays.sh OUT_DIR
set -eu

if [ "$#" -ne 1 ]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
if ! command -v kubectl >/dev/null 2>&1; then
  echo "error: kubectl builds the overlays and is not on PATH (https://kubernetes.io/docs/tasks/tools/)" >&2
  exit 1
fi

here=$(cd "$(dirname "$0")" && pwd)
out=$1
mkdir -p "$out"
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
cp -R "$here/." "$copy/"

for overlay in "$copy"/overlays/*/; do
  name=$(basename "$overlay")
  if [ ! -f "$overlay/deploy-values.env" ]; then
    grep -E '^[A-Z_][A-Z0-9_]*=' "$here/deploy-values.example.env" >"$overlay/deploy-values.env"
  fi
  kubectl kustomize "$overlay" >"$out/$name.yaml"
  echo "built overlays/$name into $out/$name.yaml"
done
if [ -f "$copy/cluster/kustomization.yaml" ]; then
  kubectl kustomize "$copy/cluster" >"$out/cluster.yaml"
  echo "built cluster into $out/cluster.yaml"
fi
