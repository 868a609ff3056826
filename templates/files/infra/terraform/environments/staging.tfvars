environment = "staging"

{{#if isAws}}
node_machine_type = "t3.large"
{{/if}}
{{#if isGcp}}
node_machine_type = "e2-standard-2"
{{/if}}
{{#if isAzure}}
node_machine_type = "Standard_D2s_v5"
{{/if}}
node_count_min    = 1
node_count_max    = 3
{{#if gpu}}

# One GPU per node and per model-server pod: room for the HPA maximum of
# deploy/k8s/overlays/staging plus the extra pods of a release ({{#if isCanary}}the canary at full
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
gpu_count_max    = {{release.scale.staging.peakPods}}
{{/if}}

{{#if isAws}}
database_tier = "db.t4g.micro"
{{/if}}
{{#if isGcp}}
database_tier = "db-custom-1-3840"
{{/if}}
{{#if isAzure}}
database_tier = "B_Standard_B1ms"
{{/if}}

highly_available    = false
deletion_protection = false
