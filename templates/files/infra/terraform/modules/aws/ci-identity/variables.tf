variable "name" {
  description = "IAM role name."
  type        = string
}

variable "environment" {
  description = "Environment this role deploys."
  type        = string
}

variable "oidc_issuer" {
  description = "Host of the CI token issuer (no scheme); its IAM OIDC provider must exist."
  type        = string
}

variable "oidc_audience" {
  description = "Audience (aud claim) CI requests for its token."
  type        = string
}

variable "oidc_subject" {
  description = "Exact subject (sub claim) allowed to assume the role: one repository and environment."
  type        = string
}

variable "repository_arns" {
  description = "ECR repositories CI pushes to (the service image and the MLflow server image)."
  type        = list(string)
}

variable "cluster_name" {
  description = "EKS cluster CI deploys to."
  type        = string
}

variable "cluster_arn" {
  description = "ARN of that cluster."
  type        = string
}

variable "namespace" {
  description = "The only namespace CI may change."
  type        = string
}

variable "kubernetes_group" {
  description = "Kubernetes group of the role (subject of the RoleBinding in deploy/k8s/cluster)."
  type        = string
}

variable "read_bucket_arns" {
  description = "Buckets CI may read (DVC data)."
  type        = list(string)
  default     = []
}
