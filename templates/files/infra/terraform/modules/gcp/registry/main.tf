# The service's Docker repository: immutable tags (a tag always means the same
# digest), vulnerability scanning on push, and cleanup of old untagged images.

terraform {
  required_providers {
    google = {
      source = "hashicorp/google"
    }
  }
}

# Artifact Analysis scans every image pushed to Artifact Registry once enabled.
resource "google_project_service" "scanning" {
  service            = "containerscanning.googleapis.com"
  disable_on_destroy = false
}

resource "google_artifact_registry_repository" "this" {
  #checkov:skip=CKV_GCP_84:Google-managed encryption at rest; a customer-managed key needs a Cloud KMS key ring, key and grants the template does not create (set kms_key_name if policy requires one)
  repository_id = var.name
  location      = var.location
  format        = "DOCKER"
  description   = "Images of ${var.name}"

  docker_config {
    immutable_tags = true
  }

  cleanup_policies {
    id     = "delete-old-untagged"
    action = "DELETE"
    condition {
      tag_state  = "UNTAGGED"
      older_than = "1209600s"
    }
  }

  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = var.keep_images
    }
  }

  depends_on = [google_project_service.scanning]
}
