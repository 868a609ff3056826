variable "name" {
  description = "Cluster name and DNS prefix."
  type        = string
}

variable "location" {
  description = "Azure location."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group of the cluster."
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes minor version; patches are applied automatically."
  type        = string
}

variable "highly_available" {
  description = "Standard tier (uptime SLA) instead of Free."
  type        = bool
}

variable "subnet_id" {
  description = "Node subnet."
  type        = string
}

variable "public_access_cidrs" {
  description = "Networks allowed to reach the API server; empty allows all."
  type        = list(string)
}

variable "log_analytics_workspace_id" {
  description = "Log Analytics workspace that receives the control-plane audit logs."
  type        = string
}

variable "registry_id" {
  description = "Container registry the nodes pull from."
  type        = string
}

variable "node_vm_size" {
  description = "VM size of the general pool."
  type        = string
}

variable "node_count_min" {
  description = "Minimum nodes of the general pool."
  type        = number
}

variable "node_count_max" {
  description = "Maximum nodes of the general pool."
  type        = number
}

variable "gpu_node_pool" {
  description = "Create an NVIDIA GPU pool that scales from zero."
  type        = bool
  default     = false
}

variable "gpu_vm_size" {
  description = "VM size of the GPU pool."
  type        = string
  default     = "Standard_NC4as_T4_v3"
}

variable "gpu_count_max" {
  description = "Maximum nodes of the GPU pool."
  type        = number
  default     = 1
}
