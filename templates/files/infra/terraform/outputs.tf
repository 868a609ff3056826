# Values CI and the Kubernetes overlays consume (`terraform output -raw NAME`).
# No output carries a secret.

output "registry_url" {
  description = "Image reference without tag or digest; CI pushes here and deploys by digest."
{{#if isAws}}
  value       = data.aws_ecr_repository.service.repository_url
{{/if}}
{{#if isGcp}}
  value       = "${var.region}-docker.pkg.dev/${local.registry_project}/${data.google_artifact_registry_repository.service.repository_id}/${var.name}"
{{/if}}
{{#if isAzure}}
  value       = "${data.azurerm_container_registry.service.login_server}/${var.name}"
{{/if}}
}

output "registry_host" {
  description = "Registry host for `docker login`."
{{#if isAws}}
  value       = split("/", data.aws_ecr_repository.service.repository_url)[0]
{{/if}}
{{#if isGcp}}
  value       = "${var.region}-docker.pkg.dev"
{{/if}}
{{#if isAzure}}
  value       = data.azurerm_container_registry.service.login_server
{{/if}}
}

output "cluster_name" {
  description = "Kubernetes cluster CI deploys to."
  value       = module.cluster.name
}

output "cluster_region" {
  description = "{{#if isAzure}}Azure location{{else}}Region{{/if}} of the cluster{{#if isGcp}} (a regional cluster: `gcloud container clusters get-credentials --region`){{/if}}."
  value       = var.region
}
{{#if isGcp}}

output "project_id" {
  description = "Project of this environment."
  value       = var.project_id
}
{{/if}}
{{#if isAzure}}

output "resource_group_name" {
  description = "Resource group of the cluster (`az aks get-credentials --resource-group`)."
  value       = azurerm_resource_group.this.name
}

output "tenant_id" {
  description = "Entra ID tenant CI signs in to (azure/login tenant-id, ARM_TENANT_ID)."
  value       = data.azurerm_client_config.current.tenant_id
}

output "subscription_id" {
  description = "Subscription of this environment (azure/login subscription-id, ARM_SUBSCRIPTION_ID)."
  value       = var.subscription_id
}
{{/if}}

output "kubernetes_namespace" {
  description = "Namespace of the serving and MLflow pods."
  value       = local.namespace
}

output "ci_identity" {
  description = "{{#if isAws}}IAM role ARN CI assumes{{/if}}{{#if isGcp}}Service account CI impersonates{{/if}}{{#if isAzure}}Client ID of the managed identity CI signs in as{{/if}} through OIDC federation (no stored keys)."
{{#if isAws}}
  value       = module.ci_identity.role_arn
{{/if}}
{{#if isGcp}}
  value       = module.ci_identity.service_account_email
{{/if}}
{{#if isAzure}}
  value       = module.ci_identity.client_id
{{/if}}
}
{{#if isAzure}}

output "ci_principal_id" {
  description = "Object ID of the CI identity: the Kubernetes user the custom-resource RoleBinding names (see deploy/k8s/cluster)."
  value       = module.ci_identity.principal_id
}
{{/if}}
{{#if isGcp}}

output "ci_workload_identity_provider" {
  description = "Workload identity provider CI exchanges its OIDC token with (projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>)."
  value       = module.ci_identity.provider_name
}
{{/if}}

output "serving_workload_identity" {
  description = "{{#if isAws}}IAM role ARN for the annotation eks.amazonaws.com/role-arn{{/if}}{{#if isGcp}}Google service account for the annotation iam.gke.io/gcp-service-account{{/if}}{{#if isAzure}}Client ID for the annotation azure.workload.identity/client-id{{/if}} on the service account {{serviceAccount}} (read-only access to model artifacts)."
{{#if isAws}}
  value       = module.serving_identity.role_arn
{{/if}}
{{#if isGcp}}
  value       = module.serving_identity.email
{{/if}}
{{#if isAzure}}
  value       = module.serving_identity.client_id
{{/if}}
}

output "mlflow_workload_identity" {
  description = "The same annotation's value for the service account {{mlflowServiceAccount}} (MLflow server: reads and writes artifacts); CI passes it as MLFLOW_IDENTITY."
{{#if isAws}}
  value       = module.mlflow_identity.role_arn
{{/if}}
{{#if isGcp}}
  value       = module.mlflow_identity.email
{{/if}}
{{#if isAzure}}
  value       = module.mlflow_identity.client_id
{{/if}}
}

output "mlflow_artifacts_uri" {
  description = "MLflow artifact root (mlflow server --artifacts-destination)."
  value       = local.mlflow_artifacts_uri
}

output "mlflow_users_secret" {
  description = "Secret holding the MLflow users' passwords (JSON, one key per user): read the CI user's from it (README, first deploy); the value is never an output."
  value       = module.app_secrets.names["mlflow-users"]
}

output "api_keys_secret" {
  description = "Secret holding the API keys {{predictPath}} accepts (JSON key {{apiKeys.file}}, one key per line); the value is never an output."
  value       = module.app_secrets.names["api-keys"]
}
{{#if isAzure}}

output "key_vault_url" {
  description = "The environment's Key Vault, which the External Secrets Operator reads (deploy value AZURE_KEY_VAULT_URL)."
  value       = module.database.key_vault_uri
}

output "key_vault_name" {
  description = "Name of that Key Vault (az keyvault secret show --vault-name)."
  value       = module.database.key_vault_name
}
{{/if}}
{{#if dvc}}

output "dvc_remote_url" {
  description = "URL of the DVC remote \"storage\" in this environment: `make dvc-remote` sets it per clone, CI reads it as DVC_REMOTE_URL{{#if isAzure}} (with storage_account_name as DVC_STORAGE_ACCOUNT){{/if}}."
{{#if isAws}}
  value       = "s3://${module.dvc_data.name}/data"
{{/if}}
{{#if isGcp}}
  value       = "gs://${module.dvc_data.name}/data"
{{/if}}
{{#if isAzure}}
  value       = "azure://dvc/data"
{{/if}}
}
{{/if}}
{{#if isAzure}}

output "storage_account_name" {
  description = "Storage account of the MLflow artifacts{{#if dvc}} and DVC data{{/if}}."
  value       = module.ml_storage.account_name
}
{{/if}}

output "database_host" {
  description = "Private host of the PostgreSQL MLflow backend store{{#if isGcp}} (or use database_connection_name with the Cloud SQL Auth Proxy){{/if}}."
{{#if isAws}}
  value       = module.database.address
{{/if}}
{{#if isGcp}}
  value       = module.database.private_ip
{{/if}}
{{#if isAzure}}
  value       = module.database.host
{{/if}}
}
{{#if isGcp}}

output "database_connection_name" {
  description = "Cloud SQL instance connection name (project:region:instance)."
  value       = module.database.connection_name
}
{{/if}}

output "database_name" {
  description = "Database of the MLflow backend store."
  value       = module.database.name
}

output "database_user" {
  description = "Database user of MLflow."
  value       = module.database.username
}

output "database_password_secret" {
  description = "{{#if isAws}}Secrets Manager secret ARN{{/if}}{{#if isGcp}}Secret Manager secret{{/if}}{{#if isAzure}}Key Vault secret ID{{/if}} holding the database password; read it at run time, it is never an output."
  value       = module.database.password_secret_{{#if isAws}}arn{{else}}id{{/if}}
}
