#!/bin/sh
# Prints the release the current cluster runs, for a model-only release (a
# promotion redeploys the running image with the new model version):
#
#   IMAGE_DIGEST=sha256:<64 hex>   the digest the {{name}} model server runs
#   GIT_SHA=<40 hex>               the commit that image was built from
#
# kubectl must already point at the cluster. It reads the model server's
# {{#if isKserve}}InferenceService{{else if isCanary}}Rollout{{else}}Deployment{{/if}} and fails, printing nothing, when no digest-pinned image
# or no commit is recorded there: deploy an image first.
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
printf 'IMAGE_DIGEST=%s\nGIT_SHA=%s\n' "$digest" "$commit"
