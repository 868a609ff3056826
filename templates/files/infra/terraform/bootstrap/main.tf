# What both environments share: the Terraform state storage and the container
# registry (an image is built once and the same digest is promoted){{#if isAws}}, and the
# account-wide IAM OIDC provider CI federates through{{/if}}.
{{#if isAws}}

data "aws_caller_identity" "current" {}

# Receives the S3 server access logs of the state bucket and of every
# environment's buckets (the root derives the same name).
module "access_logs" {
  source = "../modules/aws/access-logs"

  bucket_name = "{{cloudNames.bucketStem}}-access-logs-${data.aws_caller_identity.current.account_id}"
}

module "state" {
  source = "../modules/aws/storage"

  # Bucket names are global: the account ID keeps this one unique.
  bucket_name             = "${var.name}-tfstate-${data.aws_caller_identity.current.account_id}"
  noncurrent_version_days = 365
  access_log_bucket       = module.access_logs.name
}

module "registry" {
  source = "../modules/aws/registry"

  name = var.name
}

# The MLflow tracking server image (deploy/mlflow), pushed beside the service image.
module "mlflow_registry" {
  source = "../modules/aws/registry"

  name = "${var.name}-mlflow"
}

# One per account and issuer; every environment's CI role trusts it.
resource "aws_iam_openid_connect_provider" "ci" {
{{#if isGithub}}
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
{{/if}}
{{#if isGitlab}}
  url            = "https://gitlab.com"
  client_id_list = ["https://gitlab.com"]
{{/if}}
}
{{/if}}
{{#if isGcp}}

module "state" {
  source = "../modules/gcp/storage"

  # Bucket names are global (at most 63 characters): the project ID keeps this one unique;
  # a long project name is shortened with a hash of it.
  bucket_name             = "${var.project_id}-{{cloudNames.gcpStateStem}}-tfstate"
  location                = var.region
  noncurrent_version_days = 365
}

module "registry" {
  source = "../modules/gcp/registry"

  name     = var.name
  location = var.region
}

# Cloud Audit Logs record every read and write of the project's bucket objects
# (the state, MLflow artifacts, DVC data: who, what, when), the method Google
# recommends over bucket usage logs.
resource "google_project_iam_audit_config" "storage" {
  project = var.project_id
  service = "storage.googleapis.com"

  audit_log_config {
    log_type = "DATA_READ"
  }

  audit_log_config {
    log_type = "DATA_WRITE"
  }
}

# The identity {{#if isGithub}}pull-request{{else}}merge-request{{/if}} plans run as (`terraform plan -lock=false -refresh=false`
# on every environment): it reads the project and the state, and changes nothing, so any
# {{#if isGithub}}pull request{{else}}merge-request pipeline{{/if}} of this repository may use it. Applies never do: they sign in as each
# environment's own CI identity, which trusts {{#if isGithub}}that environment{{else}}the protected default branch and the environment{{/if}} only (main.tf).
resource "google_iam_workload_identity_pool" "plan" {
  workload_identity_pool_id = "{{cloudNames.gcpShort}}-plan"
  display_name              = "Terraform plans"
  description               = "{{#if isGithub}}Pull requests{{else}}Merge requests{{/if}} of ${var.ci_repository}, for terraform plan"
}

resource "google_iam_workload_identity_pool_provider" "plan" {
{{#if isGithub}}
  #checkov:skip=CKV_GCP_125:The condition pins the repository and the exact pull-request subject (repo:<org/repo>:pull_request) through var.ci_repository, which checkov does not resolve
{{/if}}
  workload_identity_pool_id          = google_iam_workload_identity_pool.plan.workload_identity_pool_id
{{#if isGithub}}
  workload_identity_pool_provider_id = "github-pull-requests"
  display_name                       = "GitHub pull requests"
  attribute_mapping = {
    "google.subject"       = "assertion.sub"
    "attribute.repository" = "assertion.repository"
  }
  # The subject of a pull request's token: no environment, no branch.
  attribute_condition = "assertion.repository == \"${var.ci_repository}\" && assertion.sub == \"repo:${var.ci_repository}:pull_request\""

  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
{{/if}}
{{#if isGitlab}}
  workload_identity_pool_provider_id = "gitlab-merge-requests"
  display_name                       = "GitLab merge requests"
  attribute_mapping = {
    "google.subject"         = "assertion.sub"
    "attribute.project_path" = "assertion.project_path"
  }
  # Merge-request pipelines of this project, from any branch (their ref is not protected).
  attribute_condition = "assertion.project_path == \"${var.ci_repository}\" && assertion.pipeline_source == \"merge_request_event\""

  oidc {
    issuer_uri = "https://gitlab.com"
  }
{{/if}}
}

resource "google_service_account" "plan" {
  account_id   = "{{cloudNames.gcpShort}}-tf-plan"
  display_name = "Terraform plans on {{#if isGithub}}pull{{else}}merge{{/if}} requests (read-only)"
}

resource "google_service_account_iam_member" "plan" {
  service_account_id = google_service_account.plan.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.plan.name}/*"
}

# Read-only: the one data source the configuration reads (the shared repository), and the
# state. No secret payloads: with -refresh=false a plan compares the configuration with the
# state and calls no resource API.
resource "google_artifact_registry_repository_iam_member" "plan" {
  project    = var.project_id
  location   = var.region
  repository = module.registry.repository_id
  role       = "roles/artifactregistry.reader"
  member     = "serviceAccount:${google_service_account.plan.email}"
}

resource "google_storage_bucket_iam_member" "plan_state" {
  bucket = module.state.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.plan.email}"
}
{{/if}}
{{#if isAzure}}

resource "azurerm_resource_group" "shared" {
  name     = "${var.name}-shared"
  location = var.region
}

# Access logs of the state storage (the state holds the database password).
resource "azurerm_log_analytics_workspace" "shared" {
  name                = "${var.name}-shared-logs"
  location            = azurerm_resource_group.shared.location
  resource_group_name = azurerm_resource_group.shared.name
  sku                 = "PerGB2018"
  retention_in_days   = 90
}

module "state" {
  source = "../modules/azure/storage"

  # Storage account names are global, at most 24 letters and digits: a hash of the
  # subscription keeps this one unique.
  account_name            = "{{cloudNames.azureCompact}}tfst${substr(sha256(var.subscription_id), 0, 8)}"
  location                = azurerm_resource_group.shared.location
  resource_group_name     = azurerm_resource_group.shared.name
  containers              = ["tfstate"]
  noncurrent_version_days = 365

  log_analytics_workspace_id = azurerm_log_analytics_workspace.shared.id
}

data "azurerm_client_config" "current" {}

# Shared keys are off: whoever runs Terraform reads and writes state with Entra ID.
resource "azurerm_role_assignment" "state" {
  scope                = module.state.account_id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = data.azurerm_client_config.current.object_id
}

module "registry" {
  source = "../modules/azure/registry"

  # Registry names are global, 5-50 letters and digits: a hash of the subscription keeps
  # this one unique. CI reads it as AZURE_ACR_NAME (output registry_name).
  name                = "{{cloudNames.acrStem}}${substr(sha256(var.subscription_id), 0, 8)}"
  location            = azurerm_resource_group.shared.location
  resource_group_name = azurerm_resource_group.shared.name
}

# Microsoft Defender for Containers scans images pushed to ACR (subscription-wide, billed per image scanned).
resource "azurerm_security_center_subscription_pricing" "containers" {
  count = var.enable_defender_for_containers ? 1 : 0

  tier          = "Standard"
  resource_type = "Containers"
}
{{/if}}
