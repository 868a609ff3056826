# The role CI assumes through OIDC federation: no stored keys, trusted only for
# one repository and environment, allowed to push this service's image, read
# the cluster endpoint and edit objects in the service's namespace.

terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

# Account-wide, created once by bootstrap/.
data "aws_iam_openid_connect_provider" "ci" {
  url = "https://${var.oidc_issuer}"
}

resource "aws_iam_role" "this" {
  name                 = var.name
  description          = "CI deployments to ${var.environment}, assumed through OIDC federation"
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = data.aws_iam_openid_connect_provider.ci.arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${var.oidc_issuer}:aud" = var.oidc_audience
          "${var.oidc_issuer}:sub" = var.oidc_subject
        }
      }
    }]
  })
}

data "aws_iam_policy_document" "permissions" {
  statement {
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PushAndPullServiceImage"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:DescribeImageScanFindings",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = var.repository_arns
  }

  statement {
    sid       = "ClusterEndpoint"
    actions   = ["eks:DescribeCluster"]
    resources = [var.cluster_arn]
  }

  dynamic "statement" {
    for_each = length(var.read_bucket_arns) > 0 ? [1] : []
    content {
      sid       = "ReadData"
      actions   = ["s3:GetObject", "s3:ListBucket"]
      resources = concat(var.read_bucket_arns, [for arn in var.read_bucket_arns : "${arn}/*"])
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "deploy"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.permissions.json
}

# Kubernetes access through an EKS access entry, limited to one namespace.
# The namespace-scoped edit policy below covers built-in kinds only: custom
# resources (Rollouts, InferenceServices, ServiceMonitors...) are granted to
# this group by the Role in deploy/k8s/cluster, which an administrator applies.
resource "aws_eks_access_entry" "this" {
  cluster_name      = var.cluster_name
  principal_arn     = aws_iam_role.this.arn
  type              = "STANDARD"
  kubernetes_groups = [var.kubernetes_group]
}

resource "aws_eks_access_policy_association" "this" {
  cluster_name  = var.cluster_name
  principal_arn = aws_iam_role.this.arn
  policy_arn    = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"

  access_scope {
    type       = "namespace"
    namespaces = [var.namespace]
  }

  depends_on = [aws_eks_access_entry.this]
}
