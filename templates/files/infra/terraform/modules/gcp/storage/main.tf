# A private bucket: uniform bucket-level access, public access prevention
# enforced, object versioning, old versions expired, usage and storage logs in
# a companion <name>-logs bucket. Google encrypts every object at rest; set a
# CMEK in `encryption` if policy requires your own key.

terraform {
  required_providers {
    google = {
      source = "hashicorp/google"
    }
  }
}

locals {
  # Bucket names have at most 63 characters: a long name is shortened with a hash of it.
  log_bucket_name = length(var.bucket_name) <= 58 ? "${var.bucket_name}-logs" : "${substr(var.bucket_name, 0, 49)}-${substr(sha256(var.bucket_name), 0, 8)}-logs"
}

resource "google_storage_bucket" "this" {
  name          = var.bucket_name
  location      = var.location
  force_destroy = var.force_destroy

  logging {
    log_bucket = google_storage_bucket.logs.name
  }

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.noncurrent_version_days
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age = 7
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }
}

# Hourly usage logs (every request: who, what, from where) and daily storage logs.
resource "google_storage_bucket" "logs" {
  #checkov:skip=CKV_GCP_62:This is the access-log bucket itself; logging it into itself or yet another bucket only moves the question
  name          = local.log_bucket_name
  location      = var.location
  force_destroy = var.force_destroy

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      age = var.access_log_days
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 7
    }
    action {
      type = "Delete"
    }
  }
}

# Cloud Storage writes the logs as this Google group.
resource "google_storage_bucket_iam_member" "logs_writer" {
  bucket = google_storage_bucket.logs.name
  role   = "roles/storage.objectCreator"
  member = "group:cloud-storage-analytics@google.com"
}
