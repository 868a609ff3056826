#!/bin/sh
# Prints the release the current cluster runs, for a model-only release (a
# promotion redeploys the running image with the new model version):
#
#   IMAGE_DIGEST=sha256:<64 hex>   the digest the {{name}} model server runs
#   GIT_SHA=<40 hex>               the commit that image was built from
#   MLFLOW_IMAGE_DIGEST=sha256:<64 hex>  the digest the MLflow server runs
#
# kubectl must already point at the cluster. It reads the model server's
# {{#if isKserve}}InferenceService{{else if isCanary}}Rollout{{else}}Deployment{{/if}} and the mlflow Deployment, and fails, printing nothing, when
# either runs no digest-pinned image or no commit is recorded: deploy images first.
set -eu

{{#if isKserve}}
resource=inferenceservice/{{name}}
container='.spec.predictor.containers[?(@.name=="kserve-container")]'
{{else}}
resource={{#if isCanary}}rollout{{else}}deployment{{/if}}/{{name}}
container='.spec.template.spec.containers[?(@.name=="model-server")]'
{{/if}}

image=$(kubectl --namespace {{namespace}} get "$resource" --output "jsonpath={${container}.image}")
commit=$(kubectl --namespace {{namespace}} get "$resource" --output "jsonpath={${container}.env[?(@.name==\"GIT_SHA\")].value}")

digest=${image##*@}
if [ "$digest" = "$image" ] || ! printf '%s\n' "$digest" | grep -Eqx 'sha256:[0-9a-f]{64}'; then
  echo "error: $resource in namespace {{namespace}} runs '$image', not an image pinned by digest; deploy an image first" >&2
  exit 1
fi
if ! printf '%s\n' "$commit" | grep -Eqx '[0-9a-f]{40}'; then
  echo "error: $resource in namespace {{namespace}} records no commit (GIT_SHA is '$commit'); deploy an image first" >&2
  exit 1
fi
mlflow_image=$(kubectl --namespace {{namespace}} get deployment/mlflow --output 'jsonpath={.spec.template.spec.containers[?(@.name=="mlflow")].image}')
mlflow_digest=${mlflow_image##*@}
if [ "$mlflow_digest" = "$mlflow_image" ] || ! printf '%s\n' "$mlflow_digest" | grep -Eqx 'sha256:[0-9a-f]{64}'; then
  echo "error: deployment/mlflow in namespace {{namespace}} runs '$mlflow_image', not an image pinned by digest; deploy an image first" >&2
  exit 1
fi
printf 'IMAGE_DIGEST=%s\nGIT_SHA=%s\nMLFLOW_IMAGE_DIGEST=%s\n' "$digest" "$commit" "$mlflow_digest"
