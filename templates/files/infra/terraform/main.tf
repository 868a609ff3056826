# One root, one state per environment: `-var-file=environments/<env>.tfvars`
# and `-backend-config=environments/<env>.tfbackend` select staging or prod.
# The container registry{{#if isAws}} and the CI OIDC provider{{/if}} are shared by both environments
# and created once by bootstrap/ (build once, promote the same digest).

locals {
  # Staging and prod may share an {{#if isAws}}account{{/if}}{{#if isGcp}}project{{/if}}{{#if isAzure}}subscription{{/if}}: every name carries the environment.
  prefix = "${var.name}-${var.environment}"
  labels = {
    project     = var.name
    environment = var.environment
    managed-by  = "terraform"
  }
  # Where the pods run; must match deploy/k8s.
  namespace              = "{{namespace}}"
  service_account        = "{{serviceAccount}}"
  mlflow_service_account = "{{mlflowServiceAccount}}"
  # Credentials generated for the namespace (modules/{{cloud}}/app-secrets): name suffix => JSON keys,
  # as deploy/k8s/overlays/*/external-secrets.yaml reads them. mlflow-backend is the database module's.
  app_secrets = {
    "mlflow-auth"  = ["{{mlflowAuth.adminPasswordKey}}", "{{mlflowAuth.formKeyKey}}"]
    "mlflow-users" = ["{{mlflowAuth.users.training}}", "{{mlflowAuth.users.serving}}", "{{mlflowAuth.users.ci}}"]
    "api-keys"     = ["{{apiKeys.file}}"]
  }
}
{{#if isAws}}

data "aws_caller_identity" "current" {}

locals {
  # Bucket names are global: the account ID keeps them this account's own.
  account_id = data.aws_caller_identity.current.account_id
  # Created by bootstrap/ (modules/aws/access-logs); receives the buckets' access logs.
  access_log_bucket = "{{cloudNames.bucketStem}}-access-logs-${local.account_id}"
  # MLflow's artifact root (mlflow-backend secret, output mlflow_artifacts_uri).
  mlflow_artifacts_uri = "s3://${module.mlflow_artifacts.name}"
}

data "aws_ecr_repository" "service" {
  name = var.name
}

data "aws_ecr_repository" "mlflow" {
  name = "${var.name}-mlflow"
}

module "network" {
  source = "./modules/aws/network"

  name              = local.prefix
  cidr              = var.vpc_cidr
  highly_available  = var.highly_available
  cluster_tag_value = local.prefix
}

module "cluster" {
  source = "./modules/aws/cluster"

  name                = local.prefix
  kubernetes_version  = var.kubernetes_version
  subnet_ids          = module.network.private_subnet_ids
  public_access_cidrs = var.cluster_endpoint_public_cidrs
  node_instance_type  = var.node_machine_type
  node_count_min      = var.node_count_min
  node_count_max      = var.node_count_max

{{#if gpu}}
  gpu_node_pool     = true
  gpu_instance_type = var.gpu_machine_type
  gpu_count_max     = var.gpu_count_max
{{else}}
  gpu_node_pool = false
{{/if}}
}

module "mlflow_artifacts" {
  source = "./modules/aws/storage"

  bucket_name       = "{{cloudNames.bucketStem}}-${var.environment}-mlflow-${local.account_id}"
  force_destroy     = !var.deletion_protection
  access_log_bucket = local.access_log_bucket
}
{{#if dvc}}

module "dvc_data" {
  source = "./modules/aws/storage"

  bucket_name       = "{{cloudNames.bucketStem}}-${var.environment}-dvc-${local.account_id}"
  force_destroy     = !var.deletion_protection
  access_log_bucket = local.access_log_bucket
}
{{/if}}

module "database" {
  source = "./modules/aws/database"

  name                     = "${local.prefix}-mlflow"
  engine_version           = "{{versions.terraform.postgres.aws}}"
  instance_class           = var.database_tier
  vpc_id                   = module.network.vpc_id
  subnet_ids               = module.network.private_subnet_ids
  client_security_group_id = module.cluster.node_security_group_id
  multi_az                 = var.highly_available
  deletion_protection      = var.deletion_protection
  password_version         = var.database_password_version
  secret_prefix            = local.prefix
  artifacts_destination    = local.mlflow_artifacts_uri
}

module "app_secrets" {
  source = "./modules/aws/app-secrets"

  name_prefix         = local.prefix
  secrets             = local.app_secrets
  credentials_version = var.mlflow_credentials_version
}

module "ci_identity" {
  source = "./modules/aws/ci-identity"

  name             = "${local.prefix}-ci"
  environment      = var.environment
  repository_arns  = [data.aws_ecr_repository.service.arn, data.aws_ecr_repository.mlflow.arn]
  cluster_name     = module.cluster.name
  cluster_arn      = module.cluster.arn
  namespace        = local.namespace
  kubernetes_group = "{{ciKubernetesGroup}}"
  read_bucket_arns = [{{#if dvc}}module.dvc_data.arn{{/if}}]

  # Trust one repository and environment only.
{{#if isGithub}}
  oidc_issuer   = "token.actions.githubusercontent.com"
  oidc_audience = "sts.amazonaws.com"
  oidc_subject  = "repo:${var.ci_repository}:environment:${var.environment}"
{{/if}}
{{#if isGitlab}}
  oidc_issuer   = "gitlab.com"
  oidc_audience = "https://gitlab.com"
  oidc_subject  = "project_path:${var.ci_repository}:ref_type:branch:ref:${var.ci_ref}"
{{/if}}
}

module "serving_identity" {
  source = "./modules/aws/workload-identity"

  name              = "${local.prefix}-serving"
  oidc_provider_arn = module.cluster.oidc_provider_arn
  oidc_issuer       = module.cluster.oidc_issuer
  namespace         = local.namespace
  service_account   = local.service_account
  read_bucket_arns  = [module.mlflow_artifacts.arn]
  # The External Secrets Operator signs in as this account for the API keys only.
  read_secret_arns = [module.app_secrets.arns["api-keys"]]
}

module "mlflow_identity" {
  source = "./modules/aws/workload-identity"

  name              = "${local.prefix}-mlflow"
  oidc_provider_arn = module.cluster.oidc_provider_arn
  oidc_issuer       = module.cluster.oidc_issuer
  namespace         = local.namespace
  service_account   = local.mlflow_service_account
  write_bucket_arns = [module.mlflow_artifacts.arn]
  # The External Secrets Operator signs in as this account for MLflow's credentials.
  read_secret_arns = [module.database.backend_secret_arn, module.app_secrets.arns["mlflow-auth"], module.app_secrets.arns["mlflow-users"]]
}
{{/if}}
{{#if isGcp}}

locals {
  # GKE cluster names allow 40 characters and service account IDs 30 (a long name is shortened with a hash of it).
  short_prefix = "{{cloudNames.gcpShort}}-${var.environment == "prod" ? "prod" : "stg"}"
  # Bucket names are global: a hash of the project ID keeps them this project's own.
  project_hash     = substr(sha256(var.project_id), 0, 8)
  registry_project = coalesce(var.registry_project_id, var.project_id)
  # MLflow's artifact root (mlflow-backend secret, output mlflow_artifacts_uri).
  mlflow_artifacts_uri = "gs://${module.mlflow_artifacts.name}"
}

resource "google_project_service" "this" {
  for_each = toset([
    "compute.googleapis.com",
    "container.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "secretmanager.googleapis.com",
    "servicenetworking.googleapis.com",
    "sqladmin.googleapis.com",
    "sts.googleapis.com",
  ])

  service            = each.value
  disable_on_destroy = false
}

# Created once by bootstrap/ and shared by both environments.
data "google_artifact_registry_repository" "service" {
  project       = local.registry_project
  location      = var.region
  repository_id = var.name
}

module "network" {
  source = "./modules/gcp/network"

  name   = local.prefix
  region = var.region
  cidr   = var.network_cidr

  depends_on = [google_project_service.this]
}

module "cluster" {
  source = "./modules/gcp/cluster"

  name                = local.short_prefix
  project_id          = var.project_id
  region              = var.region
  kubernetes_version  = var.kubernetes_version
  deletion_protection = var.deletion_protection
  network_id          = module.network.network_id
  subnetwork_id       = module.network.subnetwork_id
  public_access_cidrs = var.cluster_endpoint_public_cidrs
  node_machine_type   = var.node_machine_type
  node_count_min      = var.node_count_min
  node_count_max      = var.node_count_max

{{#if gpu}}
  gpu_node_pool        = true
  gpu_machine_type     = var.gpu_machine_type
  gpu_accelerator_type = var.gpu_accelerator_type
  gpu_count_max        = var.gpu_count_max
{{else}}
  gpu_node_pool = false
{{/if}}
}

# Nodes pull the service image from the shared repository.
resource "google_artifact_registry_repository_iam_member" "nodes_pull" {
  project    = local.registry_project
  location   = var.region
  repository = data.google_artifact_registry_repository.service.repository_id
  role       = "roles/artifactregistry.reader"
  member     = "serviceAccount:${module.cluster.node_service_account}"
}

module "mlflow_artifacts" {
  source = "./modules/gcp/storage"

  bucket_name   = "{{cloudNames.bucketStem}}-${var.environment}-mlflow-${local.project_hash}"
  location      = var.region
  force_destroy = !var.deletion_protection
}
{{#if dvc}}

module "dvc_data" {
  source = "./modules/gcp/storage"

  bucket_name   = "{{cloudNames.bucketStem}}-${var.environment}-dvc-${local.project_hash}"
  location      = var.region
  force_destroy = !var.deletion_protection
}
{{/if}}

module "database" {
  source = "./modules/gcp/database"

  name                        = "${local.prefix}-mlflow"
  region                      = var.region
  database_version            = "{{versions.terraform.postgres.gcp}}"
  tier                        = var.database_tier
  highly_available            = var.highly_available
  deletion_protection         = var.deletion_protection
  network_id                  = module.network.network_id
  private_services_connection = module.network.private_services_connection
  password_version            = var.database_password_version
  secret_prefix               = local.prefix
  artifacts_destination       = local.mlflow_artifacts_uri
}

module "app_secrets" {
  source = "./modules/gcp/app-secrets"

  name_prefix         = local.prefix
  secrets             = local.app_secrets
  credentials_version = var.mlflow_credentials_version

  depends_on = [google_project_service.this]
}

module "ci_identity" {
  source = "./modules/gcp/ci-identity"

  project_id          = var.project_id
  environment         = var.environment
  pool_id             = "ci-${local.short_prefix}"
  account_id          = "${local.short_prefix}-ci"
  registry_project_id = local.registry_project
  registry_location   = var.region
  registry_repository = data.google_artifact_registry_repository.service.repository_id
  read_buckets        = [{{#if dvc}}module.dvc_data.name{{/if}}]

  # Trust one repository and environment only.
{{#if isGithub}}
  provider_id = "github"
  issuer_uri  = "https://token.actions.githubusercontent.com"
  attribute_mapping = {
    "google.subject"         = "assertion.sub"
    "attribute.repository"   = "assertion.repository"
    "attribute.environment"  = "assertion.environment"
    "attribute.workflow_ref" = "assertion.job_workflow_ref"
  }
  attribute_condition = "assertion.repository == \"${var.ci_repository}\" && assertion.environment == \"${var.environment}\""
  subject             = "repo:${var.ci_repository}:environment:${var.environment}"
{{/if}}
{{#if isGitlab}}
  provider_id = "gitlab"
  issuer_uri  = "https://gitlab.com"
  attribute_mapping = {
    "google.subject"          = "assertion.sub"
    "attribute.project_path"  = "assertion.project_path"
    "attribute.ref"           = "assertion.ref"
    "attribute.ref_protected" = "assertion.ref_protected"
    "attribute.environment"   = "assertion.environment"
  }
  attribute_condition = "assertion.project_path == \"${var.ci_repository}\" && assertion.ref_type == \"branch\" && assertion.ref == \"${var.ci_ref}\" && assertion.ref_protected == \"true\" && assertion.environment == \"${var.environment}\""
  subject             = "project_path:${var.ci_repository}:ref_type:branch:ref:${var.ci_ref}"
{{/if}}

  depends_on = [google_project_service.this]
}

module "serving_identity" {
  source = "./modules/gcp/workload-identity"

  project_id      = var.project_id
  account_id      = "${local.short_prefix}-serving"
  workload_pool   = module.cluster.workload_pool
  namespace       = local.namespace
  service_account = local.service_account
  read_buckets    = [module.mlflow_artifacts.name]
}

module "mlflow_identity" {
  source = "./modules/gcp/workload-identity"

  project_id      = var.project_id
  account_id      = "${local.short_prefix}-mlflow"
  workload_pool   = module.cluster.workload_pool
  namespace       = local.namespace
  service_account = local.mlflow_service_account
  write_buckets   = [module.mlflow_artifacts.name]
  # MLflow reaches Cloud SQL on its private IP (database_host). cloudsql.client
  # lets this identity switch to the Cloud SQL Auth Proxy (database_connection_name)
  # without another Terraform change.
  project_roles = ["roles/cloudsql.client"]
}

# The External Secrets Operator signs in as MLflow's identity for MLflow's
# credentials and as the model server's for the API keys, nothing more.
resource "google_secret_manager_secret_iam_member" "mlflow_reads" {
  for_each = {
    "mlflow-backend" = module.database.backend_secret_id
    "mlflow-auth"    = module.app_secrets.ids["mlflow-auth"]
    "mlflow-users"   = module.app_secrets.ids["mlflow-users"]
  }

  secret_id = each.value
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${module.mlflow_identity.email}"
}

resource "google_secret_manager_secret_iam_member" "serving_reads_api_keys" {
  secret_id = module.app_secrets.ids["api-keys"]
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${module.serving_identity.email}"
}
{{/if}}
{{#if isAzure}}

locals {
  # Storage account and Key Vault names are global and 24 characters at most: a hash of
  # the subscription keeps them this subscription's own, and a long project name is
  # shortened with a hash of it.
  compact_name      = "{{cloudNames.azureCompact}}"
  env_short         = var.environment == "prod" ? "prod" : "stg"
  subscription_hash = substr(sha256(var.subscription_id), 0, 6)
  # The shared registry bootstrap/ named with a hash of the same subscription.
  registry_name = "{{cloudNames.acrStem}}${substr(sha256(var.subscription_id), 0, 8)}"
  # MLflow's artifact root (mlflow-backend secret, output mlflow_artifacts_uri).
  mlflow_artifacts_uri = "wasbs://mlflow@${module.ml_storage.account_name}.blob.core.windows.net"
}

data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "this" {
  name     = local.prefix
  location = var.region
  tags     = local.labels
}

# Control-plane audit logs and storage access logs of this environment.
resource "azurerm_log_analytics_workspace" "this" {
  name                = "${local.prefix}-logs"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  sku                 = "PerGB2018"
  retention_in_days   = 90
  tags                = local.labels
}

# Created once by bootstrap/ and shared by both environments.
data "azurerm_container_registry" "service" {
  name                = local.registry_name
  resource_group_name = var.registry_resource_group_name
}

module "network" {
  source = "./modules/azure/network"

  name                = local.prefix
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  cidr                = var.vnet_cidr
}

module "cluster" {
  source = "./modules/azure/cluster"

  name                = local.prefix
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  kubernetes_version  = var.kubernetes_version
  highly_available    = var.highly_available
  subnet_id           = module.network.node_subnet_id
  public_access_cidrs = var.cluster_endpoint_public_cidrs
  registry_id         = data.azurerm_container_registry.service.id
  node_vm_size        = var.node_machine_type
  node_count_min      = var.node_count_min
  node_count_max      = var.node_count_max

  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id

{{#if gpu}}
  gpu_node_pool = true
  gpu_vm_size   = var.gpu_machine_type
  gpu_count_max = var.gpu_count_max
{{else}}
  gpu_node_pool = false
{{/if}}
}

module "ml_storage" {
  source = "./modules/azure/storage"

  account_name        = "${local.compact_name}${local.env_short}${local.subscription_hash}"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  containers          = ["mlflow"{{#if dvc}}, "dvc"{{/if}}]
  highly_available    = var.highly_available

  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id
}

module "database" {
  source = "./modules/azure/database"

  # Server names are global (<name>.postgres.database.azure.com), at most 63 characters.
  name                  = "${local.prefix}-mlflow-${local.subscription_hash}"
  key_vault_name        = "${local.compact_name}-${local.env_short}-${local.subscription_hash}"
  location              = azurerm_resource_group.this.location
  resource_group_name   = azurerm_resource_group.this.name
  postgres_version      = "{{versions.terraform.postgres.azure}}"
  sku_name              = var.database_tier
  highly_available      = var.highly_available
  subnet_id             = module.network.database_subnet_id
  private_dns_zone_id   = module.network.database_dns_zone_id
  password_version      = var.database_password_version
  secret_prefix         = local.prefix
  artifacts_destination = local.mlflow_artifacts_uri
}

module "app_secrets" {
  source = "./modules/azure/app-secrets"

  name_prefix         = local.prefix
  secrets             = local.app_secrets
  credentials_version = var.mlflow_credentials_version
  # Available once Terraform's own Secrets Officer assignment on the vault exists.
  key_vault_id = module.database.key_vault_id
}

# Azure has no deletion-protection flag on these resources: a delete lock stands in.
resource "azurerm_management_lock" "deletion_protection" {
  for_each = var.deletion_protection ? {
    database = module.database.server_id
    storage  = module.ml_storage.account_id
  } : {}

  name       = "deletion-protection"
  scope      = each.value
  lock_level = "CanNotDelete"
  notes      = "Remove deletion_protection from the ${var.environment} tfvars to allow deletion."
}

module "ci_identity" {
  source = "./modules/azure/ci-identity"

  name                = "${local.prefix}-ci"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  registry_id         = data.azurerm_container_registry.service.id
  cluster_id          = module.cluster.id
  namespace           = local.namespace
{{#if dvc}}
  read_scopes = {
    dvc = module.ml_storage.container_ids["dvc"]
  }
{{/if}}

  # Trust one repository and environment only.
{{#if isGithub}}
  credential_name = "github-${var.environment}"
  oidc_issuer     = "https://token.actions.githubusercontent.com"
  oidc_subject    = "repo:${var.ci_repository}:environment:${var.environment}"
{{/if}}
{{#if isGitlab}}
  credential_name = "gitlab-${var.environment}"
  oidc_issuer     = "https://gitlab.com"
  oidc_subject    = "project_path:${var.ci_repository}:ref_type:branch:ref:${var.ci_ref}"
{{/if}}
}

module "serving_identity" {
  source = "./modules/azure/workload-identity"

  name                = "${local.prefix}-serving"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  oidc_issuer_url     = module.cluster.oidc_issuer_url
  namespace           = local.namespace
  service_account     = local.service_account
  role_assignments = {
    artifacts = {
      scope = module.ml_storage.container_ids["mlflow"]
      role  = "Storage Blob Data Reader"
    }
    # The External Secrets Operator signs in as this identity for the API keys only.
    api_keys = {
      scope = module.app_secrets.ids["api-keys"]
      role  = "Key Vault Secrets User"
    }
  }
}

module "mlflow_identity" {
  source = "./modules/azure/workload-identity"

  name                = "${local.prefix}-mlflow"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  oidc_issuer_url     = module.cluster.oidc_issuer_url
  namespace           = local.namespace
  service_account     = local.mlflow_service_account
  role_assignments = {
    artifacts = {
      scope = module.ml_storage.container_ids["mlflow"]
      role  = "Storage Blob Data Contributor"
    }
    # The External Secrets Operator signs in as this identity for MLflow's credentials, nothing more.
    backend_secret = {
      scope = module.database.backend_secret_id
      role  = "Key Vault Secrets User"
    }
    auth_secret = {
      scope = module.app_secrets.ids["mlflow-auth"]
      role  = "Key Vault Secrets User"
    }
    users_secret = {
      scope = module.app_secrets.ids["mlflow-users"]
      role  = "Key Vault Secrets User"
    }
  }
}
{{/if}}
