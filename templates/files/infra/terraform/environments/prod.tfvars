environment = "prod"

{{#if isAws}}
node_machine_type = "m6i.xlarge"
{{/if}}
{{#if isGcp}}
node_machine_type = "e2-standard-4"
{{/if}}
{{#if isAzure}}
node_machine_type = "Standard_D4s_v5"
{{/if}}
node_count_min    = 3
node_count_max    = 6
{{#if gpu}}

# One GPU per node and per model-server pod: room for the HPA maximum of
# deploy/k8s/overlays/prod plus the extra pods of a release ({{#if isCanary}}the canary at full
# scale beside the stable pods{{else}}maxSurge{{/if}}).
{{#if isAws}}
gpu_machine_type = "g5.xlarge"
{{/if}}
{{#if isGcp}}
gpu_machine_type = "g2-standard-4"
{{/if}}
{{#if isAzure}}
gpu_machine_type = "Standard_NC4as_T4_v3"
{{/if}}
gpu_count_max    = {{release.scale.prod.peakPods}}
{{/if}}

{{#if isAws}}
database_tier = "db.m7g.large"
{{/if}}
{{#if isGcp}}
database_tier = "db-custom-2-7680"
{{/if}}
{{#if isAzure}}
database_tier = "GP_Standard_D2ds_v5"
{{/if}}

highly_available    = true
deletion_protection = true
