# Credentials the cluster's External Secrets Operator copies into the namespace
# (deploy/k8s/components/cloud-secrets): one Key Vault secret per Kubernetes
# Secret, a JSON object with a random value per key. The values are generated
# at apply time (ephemeral) and written through write-only arguments, so they
# are never in Terraform state, plan or outputs; credentials_version writes new
# ones. Who may read which secret is decided by the caller.

terraform {
  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
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

resource "azurerm_key_vault_secret" "this" {
  for_each = var.secrets

  name             = "${var.name_prefix}-${each.key}"
  key_vault_id     = var.key_vault_id
  content_type     = "application/json"
  value_wo         = jsonencode({ for key in each.value : key => ephemeral.random_password.value["${each.key}/${key}"].result })
  value_wo_version = var.credentials_version
  # A rotation reminder one year after creation (Key Vault still returns expired
  # secrets); set once, later applies leave it alone.
  expiration_date = timeadd(plantimestamp(), "8760h")

  lifecycle {
    ignore_changes = [expiration_date]
  }
}
