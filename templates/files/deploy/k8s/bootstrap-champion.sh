#!/bin/sh
# Makes sure this environment's model registry can serve before the model server
# is deployed, and prints the model version to deploy:
#
#   MODEL_VERSION=<n>
#
#   {{training.script}} staging|prod [VERSION | --retrain]
#
# 1. Applies the objects of the overlay labelled {{training.phaseLabel}}={{training.phase}}: the
#    network policies, the shared settings, the MLflow server and the training
#    CronJobs {{training.steps.train.cronJob}}, {{training.steps.evaluate.cronJob}} and {{training.steps.promote.cronJob}}, and waits for MLflow to be ready.
# 2. Looks up {{modelName}}@{{championAlias}} in this environment's MLflow. On a fresh
#    environment there is none, so it runs one training Job from the CronJob
#    (train, gate, and promote the first candidate that passes) and looks again.
#    With VERSION: prints it if this registry holds it; a registry with no
#    champion and no such version (a fresh prod given staging's number) gets its
#    own first champion instead, with a warning; any other registry fails.
# 3. With --retrain (CI's retraining, train.yml / the retrain jobs): a registry that
#    has a champion runs three Jobs in order, each from its CronJob and each
#    required to complete: {{training.steps.train.cronJob}} (a new challenger),
#    {{training.steps.evaluate.cronJob}} (the quality gate) and {{training.steps.promote.cronJob}} (champion moves to it), then
#    prints the new champion's version. A fresh registry gets its first champion as in 2.
#    Versions are numbered per registry: each environment retrains, gates and
#    promotes in its own cluster, with the image it runs.
#
# The overlay's deploy-values.env must already be written (write-deploy-values.sh;
# MODEL_VERSION may be empty there): the training Job runs the image it names.
# kubectl must point at the cluster; curl reaches MLflow through port-forward, as
# the MLflow user MLFLOW_TRACKING_USERNAME ({{mlflowAuth.users.ci}}, read-only) with the password
# MLFLOW_TRACKING_PASSWORD (its key in the Secret {{mlflowAuth.usersSecret}}; CI's secret {{mlflowAuth.ciSecret}}).
# Progress goes to stderr. Exit 1 when MLflow, a Job, the gate or the lookup fails
# (the Job's logs are printed), 2 on bad arguments.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
namespace={{namespace}}
model={{modelName}}
alias={{championAlias}}
# The CronJobs whose Jobs train, gate and promote (deploy/k8s/base/train-cronjob.yaml).
train_job={{training.steps.train.cronJob}}
gate_job={{training.steps.evaluate.cronJob}}
promote_job={{training.steps.promote.cronJob}}
port=${MLFLOW_FORWARD_PORT:-15000}
timeout=${BOOTSTRAP_TIMEOUT_SECONDS:-1800}

usage() {
  echo "usage: $0 staging|prod [VERSION | --retrain]" >&2
  exit 2
}
if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then usage; fi
overlay=$1
pinned=${2:-}
retrain=no
if [ "$pinned" = --retrain ]; then
  retrain=yes
  pinned=""
fi
case "$overlay" in
  staging | prod) ;;
  *) usage ;;
esac
case "$pinned" in
  *[!0-9]*)
    echo "error: VERSION must be a model version number, got '$pinned'" >&2
    exit 2
    ;;
esac
case "$timeout" in
  "" | *[!0-9]*)
    echo "error: BOOTSTRAP_TIMEOUT_SECONDS must be a number of seconds, got '$timeout'" >&2
    exit 2
    ;;
esac
if [ -z "${MLFLOW_TRACKING_USERNAME:-}" ] || [ -z "${MLFLOW_TRACKING_PASSWORD:-}" ]; then
  echo "error: MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD must name an MLflow user of this environment ({{mlflowAuth.users.ci}}): MLflow answers no request without one" >&2
  exit 2
fi
[ -f "$here/overlays/$overlay/deploy-values.env" ] || {
  echo "error: $here/overlays/$overlay/deploy-values.env is missing: run write-deploy-values.sh $overlay first" >&2
  exit 1
}

echo "applying the registry phase of $overlay ({{training.phaseLabel}}={{training.phase}})" >&2
kubectl apply --kustomize "$here/overlays/$overlay" --selector {{training.phaseLabel}}={{training.phase}} >&2
kubectl --namespace "$namespace" rollout status deployment/mlflow --timeout="${timeout}s" >&2

work=$(mktemp -d)
forward=""
cleanup() {
  if [ -n "$forward" ]; then kill "$forward" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
kubectl --namespace "$namespace" port-forward service/mlflow "$port:{{mlflowPort}}" >"$work/forward.log" 2>&1 &
forward=$!
api="http://127.0.0.1:$port/api/2.0/mlflow"
# The credentials go to curl in a file of this run's private folder, never on its command line.
printf 'user = "%s:%s"\n' \
  "$(printf '%s' "$MLFLOW_TRACKING_USERNAME" | sed 's/[\\"]/\\&/g')" \
  "$(printf '%s' "$MLFLOW_TRACKING_PASSWORD" | sed 's/[\\"]/\\&/g')" >"$work/credentials"
attempt=0
until curl --silent --fail --output /dev/null "http://127.0.0.1:$port/health"; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 30 ] || ! kill -0 "$forward" 2>/dev/null; then
    echo "error: MLflow did not answer through kubectl port-forward on port $port:" >&2
    cat "$work/forward.log" >&2
    exit 1
  fi
  sleep 2
done

# GET an MLflow API path about the model (and $2, a parameter); prints the HTTP
# status, the body goes to $work/body.
get() {
  curl --silent --show-error --config "$work/credentials" --get --output "$work/body" --write-out '%{http_code}' "$api/$1" \
    --data-urlencode "name=$model" ${2:+--data-urlencode} ${2:+"$2"}
}
refused() {
  echo "error: MLflow refused the user $MLFLOW_TRACKING_USERNAME ($1): check MLFLOW_TRACKING_PASSWORD against its key in the Secret {{mlflowAuth.usersSecret}}" >&2
}
# The version number in the body of a model-version answer.
version_in_body() {
  tr ',{}' '\n' <"$work/body" | sed -n 's/^ *"version" *: *"\([0-9][0-9]*\)" *$/\1/p' | sed -n 1p
}
# Whether the model exists (yes/no); fails on other answers. It is looked up
# first: for a model that does not exist, MLflow's authentication answers 403
# to alias and version lookups, not 404.
model_exists() {
  status=$(get registered-models/get) || true
  case "$status" in
    200) echo yes ;;
    404) echo no ;;
    401 | 403) refused "$status"; return 1 ;;
    *)
      echo "error: MLflow answered $status to the $model lookup: $(cat "$work/body")" >&2
      return 1
      ;;
  esac
}
# Prints the version an alias ($1, default the champion's) points to, or nothing
# when there is none; fails on other errors.
champion() {
  wanted=${1:-$alias}
  [ "$(model_exists)" = yes ] || return 0
  status=$(get registered-models/alias "alias=$wanted") || true
  case "$status" in
    200) version_in_body ;;
    # A model whose candidates never passed the gate: MLflow answers 400
    # "Registered model alias ... not found".
    400) grep -q 'alias .* not found' "$work/body" || {
      echo "error: MLflow answered 400 to the $model@$wanted lookup: $(cat "$work/body")" >&2
      return 1
    } ;;
    401 | 403) refused "$status"; return 1 ;;
    *)
      echo "error: MLflow answered $status to the $model@$wanted lookup: $(cat "$work/body")" >&2
      return 1
      ;;
  esac
}

# Runs one Job from the CronJob $1 and waits for it; sets job and state, and
# fails (after printing why and the Job's logs) unless it completed.
run_job() {
  job=$1-$(date +%s)
  kubectl --namespace "$namespace" create job "$job" --from="cronjob/$1" >&2
  deadline=$(($(date +%s) + timeout))
  state=""
  while :; do
    state=$(kubectl --namespace "$namespace" get job "$job" --output 'jsonpath={.status.conditions[?(@.status=="True")].type}')
    case " $state " in
      *" Complete "* | *" Failed "*) break ;;
    esac
    if [ "$(date +%s)" -ge "$deadline" ]; then
      state="timed out after ${timeout}s"
      break
    fi
    sleep 5
  done
  case " $state " in
    *" Complete "*) return 0 ;;
  esac
  echo "error: job/$job did not complete ($state); its logs:" >&2
  kubectl --namespace "$namespace" logs "job/$job" --tail=200 >&2 || true
  return 1
}

exists=$(model_exists)
version=$(champion)
if [ -n "$pinned" ]; then
  status=404
  if [ "$exists" = yes ]; then status=$(get model-versions/get "version=$pinned") || true; fi
  if [ "$status" = 200 ]; then
    echo "MODEL_VERSION=$pinned"
    exit 0
  fi
  # Versions are numbered per registry: staging's number means nothing in a
  # registry that has never served. A fresh one gets its own first champion,
  # trained by the same image (same code, data and seed); one that already has a
  # champion must not serve a different model under a borrowed number.
  if [ -n "$version" ] || [ "$status" != 404 ]; then
    echo "error: this environment's registry has no $model version $pinned (MLflow answered $status); register that model here first, or deploy with an empty model version to serve this registry's $alias" >&2
    exit 1
  fi
  echo "warning: $model version $pinned is not in this fresh registry: $overlay serves its own first $alias instead" >&2
fi
if [ -z "$version" ]; then
  echo "no $model@$alias in $overlay yet: training the first champion" >&2
  run_job "$train_job" || exit 1
  version=$(champion)
  if [ -z "$version" ]; then
    echo "error: job/$job trained a candidate but there is still no $model@$alias: it failed the quality gate; its logs:" >&2
    kubectl --namespace "$namespace" logs "job/$job" --tail=200 >&2 || true
    exit 1
  fi
  echo "job/$job made version $version the first $alias" >&2
elif [ "$retrain" = yes ]; then
  echo "retraining in $overlay: $model@$alias is version $version" >&2
  run_job "$train_job" || exit 1
  candidate=$(champion {{challengerAlias}})
  if [ -z "$candidate" ]; then
    echo "error: job/$job completed but no version of $model has the alias {{challengerAlias}}" >&2
    exit 1
  fi
  echo "job/$job registered version $candidate as {{challengerAlias}}; gating it against version $version" >&2
  if ! run_job "$gate_job"; then
    echo "error: version $candidate did not pass the quality gate against $alias version $version (or the gate could not run): nothing is promoted" >&2
    exit 1
  fi
  run_job "$promote_job" || exit 1
  promoted=$(champion)
  if [ "$promoted" != "$candidate" ]; then
    echo "error: job/$job completed but $model@$alias is version '$promoted', not the gated version $candidate" >&2
    exit 1
  fi
  echo "job/$job promoted version $candidate to $alias (it was version $version)" >&2
  version=$candidate
fi
echo "MODEL_VERSION=$version"
