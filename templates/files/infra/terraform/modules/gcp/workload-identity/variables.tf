variable "project_id" {
  description = "Project of the service account."
  type        = string
}

variable "account_id" {
  description = "Service account ID (6-30 characters)."
  type        = string
}

variable "workload_pool" {
  description = "Workload Identity pool of the cluster (<project>.svc.id.goog)."
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

variable "read_buckets" {
  description = "Buckets the pods may read."
  type        = list(string)
  default     = []
}

variable "write_buckets" {
  description = "Buckets the pods may read and write."
  type        = list(string)
  default     = []
}

variable "project_roles" {
  description = "Project roles the pods need besides bucket access."
  type        = list(string)
  default     = []
}
