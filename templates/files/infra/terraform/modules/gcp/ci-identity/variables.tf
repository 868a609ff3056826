variable "project_id" {
  description = "Project of the environment."
  type        = string
}

variable "environment" {
  description = "Environment CI deploys with this identity."
  type        = string
}

variable "pool_id" {
  description = "Workload identity pool ID (4-32 characters)."
  type        = string
}

variable "provider_id" {
  description = "Provider ID inside the pool."
  type        = string
}

variable "issuer_uri" {
  description = "OIDC issuer of the CI tokens."
  type        = string
}

variable "attribute_mapping" {
  description = "Token claims mapped to Google attributes; google.subject must be mapped."
  type        = map(string)
}

variable "attribute_condition" {
  description = "CEL condition every token must satisfy (repository and environment or branch)."
  type        = string
}

variable "subject" {
  description = "Exact token subject allowed to impersonate the service account."
  type        = string
}

variable "account_id" {
  description = "Service account ID (6-30 characters)."
  type        = string
}

variable "registry_project_id" {
  description = "Project of the Artifact Registry repository."
  type        = string
}

variable "registry_location" {
  description = "Region of the Artifact Registry repository."
  type        = string
}

variable "registry_repository" {
  description = "Artifact Registry repository CI pushes to."
  type        = string
}

variable "read_buckets" {
  description = "Buckets CI may read (DVC data)."
  type        = list(string)
  default     = []
}
