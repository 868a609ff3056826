variable "name" {
  description = "Name of the managed identity."
  type        = string
}

variable "location" {
  description = "Azure location."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group of the identity."
  type        = string
}

variable "credential_name" {
  description = "Name of the federated identity credential."
  type        = string
}

variable "oidc_issuer" {
  description = "Issuer URL of the CI tokens."
  type        = string
}

variable "oidc_subject" {
  description = "Exact subject (sub claim) the credential trusts."
  type        = string
}

variable "registry_id" {
  description = "Container registry CI pushes to."
  type        = string
}

variable "cluster_id" {
  description = "AKS cluster CI deploys to."
  type        = string
}

variable "namespace" {
  description = "The only namespace CI may change."
  type        = string
}

variable "read_scopes" {
  description = "Storage scopes (containers) CI may read, by a static key."
  type        = map(string)
  default     = {}
}
