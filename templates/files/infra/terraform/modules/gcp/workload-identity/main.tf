# A Google service account for one Kubernetes service account (GKE Workload
# Identity): pods get short-lived tokens, never keys, and reach only the buckets
# they need (read for the model server, read/write for MLflow).

terraform {
  required_providers {
    google = {
      source = "hashicorp/google"
    }
  }
}

resource "google_service_account" "this" {
  account_id   = var.account_id
  display_name = "Kubernetes ${var.namespace}/${var.service_account}"
}

resource "google_service_account_iam_member" "workload_identity" {
  service_account_id = google_service_account.this.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.workload_pool}[${var.namespace}/${var.service_account}]"
}

resource "google_storage_bucket_iam_member" "read" {
  for_each = toset(var.read_buckets)

  bucket = each.value
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.this.email}"
}

resource "google_storage_bucket_iam_member" "write" {
  for_each = toset(var.write_buckets)

  bucket = each.value
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${google_service_account.this.email}"
}

resource "google_project_iam_member" "extra" {
  for_each = toset(var.project_roles)

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.this.email}"
}
