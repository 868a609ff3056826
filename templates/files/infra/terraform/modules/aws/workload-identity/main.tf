# IAM role for one Kubernetes service account (IRSA): pods get short-lived
# credentials from their projected token, never keys, and reach only the
# buckets they need (read for the model server, read/write for MLflow), and the
# secrets the External Secrets Operator copies for them (read_secret_arns).

terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

locals {
  issuer = trimprefix(var.oidc_issuer, "https://")
}

resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = var.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.issuer}:aud" = "sts.amazonaws.com"
          "${local.issuer}:sub" = "system:serviceaccount:${var.namespace}:${var.service_account}"
        }
      }
    }]
  })
}

data "aws_iam_policy_document" "buckets" {
  statement {
    sid       = "ListBuckets"
    actions   = ["s3:ListBucket"]
    resources = concat(var.read_bucket_arns, var.write_bucket_arns)
  }

  statement {
    sid       = "ReadObjects"
    actions   = ["s3:GetObject"]
    resources = [for arn in concat(var.read_bucket_arns, var.write_bucket_arns) : "${arn}/*"]
  }

  dynamic "statement" {
    for_each = length(var.write_bucket_arns) > 0 ? [1] : []
    content {
      sid       = "WriteObjects"
      actions   = ["s3:PutObject", "s3:DeleteObject"]
      resources = [for arn in var.write_bucket_arns : "${arn}/*"]
    }
  }

  dynamic "statement" {
    for_each = length(var.read_secret_arns) > 0 ? [1] : []
    content {
      sid       = "ReadSecrets"
      actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
      resources = var.read_secret_arns
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "buckets"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.buckets.json
}
