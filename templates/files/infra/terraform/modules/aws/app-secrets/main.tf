# Credentials the cluster's External Secrets Operator copies into the namespace
# (deploy/k8s/components/cloud-secrets): one Secrets Manager secret per
# Kubernetes Secret, a JSON object with a random value per key. The values are
# generated at apply time (ephemeral) and written through write-only arguments,
# so they are never in Terraform state, plan or outputs; credentials_version
# writes new ones. Who may read which secret is decided by the caller.

terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

locals {
  # One random value per secret and key, "<secret>/<key>".
  values = toset(flatten([for name, keys in var.secrets : [for key in keys : "${name}/${key}"]]))
}

ephemeral "aws_secretsmanager_random_password" "value" {
  for_each = local.values

  # 64 alphanumerics: above MLflow's 12 for passwords and Flask's needs for the form key; the API key's length.
  password_length     = 64
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV_AWS_149:encrypted with the AWS managed aws/secretsmanager key; a customer-managed key is a cost and key-policy trade-off this template does not make
  #checkov:skip=CKV2_AWS_57:rotation would need a Lambda that also restarts MLflow's clients; rotate with mlflow_credentials_version (README)
  for_each = var.secrets

  name                    = "${var.name_prefix}-${each.key}"
  description             = "Copied into a Secret of the namespace by the External Secrets Operator (written by Terraform, never in its state)"
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "this" {
  for_each = var.secrets

  secret_id                = aws_secretsmanager_secret.this[each.key].id
  secret_string_wo         = jsonencode({ for key in each.value : key => ephemeral.aws_secretsmanager_random_password.value["${each.key}/${key}"].random_password })
  secret_string_wo_version = var.credentials_version
}
