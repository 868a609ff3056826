# Credentials the cluster's External Secrets Operator copies into the namespace
# (deploy/k8s/components/cloud-secrets): one Secret Manager secret per
# Kubernetes Secret, a JSON object with a random value per key. The values are
# generated at apply time (ephemeral) and written through write-only arguments,
# so they are never in Terraform state, plan or outputs; credentials_version
# writes new ones. Who may read which secret is decided by the caller.

terraform {
  required_providers {
    google = {
      source = "hashicorp/google"
    }
    random = {
      source = "hashicorp/random"
    }
  }
}

locals {
  # One random value per secret and key, "<secret>/<key>".
  values = toset(flatten([for name, keys in var.secrets : [for key in keys : "${name}/${key}"]]))
}

ephemeral "random_password" "value" {
  for_each = local.values

  # 64 alphanumerics: above MLflow's 12 for passwords and Flask's needs for the form key; the API key's length.
  length  = 64
  special = false
}

resource "google_secret_manager_secret" "this" {
  for_each = var.secrets

  secret_id = "${var.name_prefix}-${each.key}"

  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "this" {
  for_each = var.secrets

  secret                 = google_secret_manager_secret.this[each.key].id
  secret_data_wo         = jsonencode({ for key in each.value : key => ephemeral.random_password.value["${each.key}/${key}"].result })
  secret_data_wo_version = var.credentials_version
}
