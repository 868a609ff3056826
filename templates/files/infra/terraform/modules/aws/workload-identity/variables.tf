variable "name" {
  description = "IAM role name."
  type        = string
}

variable "oidc_provider_arn" {
  description = "IAM OIDC provider of the cluster."
  type        = string
}

variable "oidc_issuer" {
  description = "Service-account token issuer URL of the cluster."
  type        = string
}

variable "namespace" {
  description = "Namespace of the service account."
  type        = string
}

variable "service_account" {
  description = "Kubernetes service account of the pods."
  type        = string
}

variable "read_bucket_arns" {
  description = "Buckets the pods may read."
  type        = list(string)
  default     = []
}

variable "write_bucket_arns" {
  description = "Buckets the pods may read and write."
  type        = list(string)
  default     = []
}

variable "read_secret_arns" {
  description = "Secrets Manager secrets the service account may read (the External Secrets Operator signs in as it)."
  type        = list(string)
  default     = []
}
