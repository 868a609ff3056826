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

variable "oidc_issuer_url" {
  description = "Service-account token issuer of the cluster."
  type        = string
}

variable "namespace" {
  description = "Namespace of the Kubernetes service account."
  type        = string
}

variable "service_account" {
  description = "Kubernetes service account of the pods."
  type        = string
}

variable "role_assignments" {
  description = "Roles the pods need, by a static key: { scope, role }."
  type = map(object({
    scope = string
    role  = string
  }))
  default = {}
}
