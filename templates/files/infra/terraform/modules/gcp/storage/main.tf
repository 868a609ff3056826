# A private bucket: uniform bucket-level access, public access prevention
# enforced, object versioning, old versions expired. Google encrypts every
# object at rest; set a CMEK in `encryption` if policy requires your own key.

terraform {
  required_providers {
    google = {
      source = "hashicorp/google"
    }
  }
}

resource "google_storage_bucket" "this" {
  #checkov:skip=CKV_GCP_62:Object access is recorded by Cloud Audit Logs (Data Access logs for storage.googleapis.com, bootstrap/), which Google recommends over bucket usage logs
  name          = var.bucket_name
  location      = var.location
  force_destroy = var.force_destroy

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
