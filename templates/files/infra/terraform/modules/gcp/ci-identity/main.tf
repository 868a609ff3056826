# CI authenticates through Workload Identity Federation: a pool and an OIDC
# provider whose attribute condition admits one repository (and environment or
# protected branch), and a service account only that exact subject may impersonate.

terraform {
  required_providers {
    google = {
      source = "hashicorp/google"
    }
  }
}

resource "google_iam_workload_identity_pool" "this" {
  workload_identity_pool_id = var.pool_id
  display_name              = "CI ${var.environment}"
  description               = "CI pipelines that deploy ${var.environment}"
}

resource "google_iam_workload_identity_pool_provider" "this" {
  #checkov:skip=CKV_GCP_125:The condition pins the exact subject (repo:<org/repo>:environment:<env>), repository and environment, passed from main.tf; checkov does not resolve them through the module variables
  workload_identity_pool_id          = google_iam_workload_identity_pool.this.workload_identity_pool_id
  workload_identity_pool_provider_id = var.provider_id
  display_name                       = var.provider_id
  attribute_mapping                  = var.attribute_mapping
  # The exact subject, as well as the caller's condition: no other token gets a federated credential.
  attribute_condition = "assertion.sub == \"${var.subject}\" && (${var.attribute_condition})"

  oidc {
    issuer_uri = var.issuer_uri
  }
}

resource "google_service_account" "this" {
  account_id   = var.account_id
  display_name = "CI deployments to ${var.environment}"
}

resource "google_service_account_iam_member" "federation" {
  service_account_id = google_service_account.this.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principal://iam.googleapis.com/${google_iam_workload_identity_pool.this.name}/subject/${var.subject}"
}

resource "google_artifact_registry_repository_iam_member" "push" {
  project    = var.registry_project_id
  location   = var.registry_location
  repository = var.registry_repository
  role       = "roles/artifactregistry.writer"
  member     = "serviceAccount:${google_service_account.this.email}"
}

# Lets CI fetch cluster credentials, nothing more: what it may change is the
# namespace Role of deploy/k8s/cluster, bound to this service account by a
# RoleBinding (README, first deploy). A project role such as container.developer
# would reach every namespace of every cluster in the project.
resource "google_project_iam_member" "deploy" {
  project = var.project_id
  role    = "roles/container.clusterViewer"
  member  = "serviceAccount:${google_service_account.this.email}"
}

resource "google_storage_bucket_iam_member" "read" {
  for_each = toset(var.read_buckets)

  bucket = each.value
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.this.email}"
}
