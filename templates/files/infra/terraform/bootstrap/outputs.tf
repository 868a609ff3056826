{{#if isAzure}}
output "state_storage_account" {
  description = "Remote state storage account: pass it to `terraform init -backend-config=storage_account_name=...`."
  value       = module.state.account_name
}
{{else}}
output "state_bucket" {
  description = "Remote state bucket: pass it to `terraform init -backend-config=bucket=...`."
  value       = module.state.name
}
{{/if}}

output "registry_url" {
  description = "Image reference without tag, shared by staging and prod."
{{#if isAzure}}
  value       = "${module.registry.login_server}/${var.name}"
{{else}}
  value       = module.registry.repository_url
{{/if}}
}
{{#if isAzure}}

output "registry_name" {
  description = "Container registry name (host without .azurecr.io): the CI variable AZURE_ACR_NAME."
  value       = module.registry.name
}
{{/if}}
{{#if isGcp}}

output "plan_workload_identity_provider" {
  description = "Provider {{#if isGithub}}pull-request{{else}}merge-request{{/if}} plans sign in through: the unscoped CI variable GCP_WORKLOAD_IDENTITY_PROVIDER."
  value       = google_iam_workload_identity_pool_provider.plan.name
}

output "plan_service_account" {
  description = "Read-only service account of those plans: the unscoped CI variable TERRAFORM_SERVICE_ACCOUNT."
  value       = google_service_account.plan.email
}
{{/if}}
