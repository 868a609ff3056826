variable "name" {
  description = "Cluster name (at most 40 characters)."
  type        = string
}

variable "project_id" {
  description = "Project of the cluster."
  type        = string
}

variable "region" {
  description = "Region of the (regional) cluster."
  type        = string
}

variable "kubernetes_version" {
  description = "Minimum Kubernetes version of the control plane; the release channel upgrades from there."
  type        = string
}

variable "deletion_protection" {
  description = "Refuse `terraform destroy` of the cluster."
  type        = bool
}

variable "network_id" {
  description = "VPC network of the cluster."
  type        = string
}

variable "subnetwork_id" {
  description = "Node subnet, with secondary ranges named pods and services."
  type        = string
}

variable "master_cidr" {
  description = "/28 range for the control plane's private endpoint."
  type        = string
  default     = "172.16.0.0/28"
}

variable "public_access_cidrs" {
  description = "Networks allowed to reach the control plane."
  type        = list(string)
}

variable "node_machine_type" {
  description = "Machine type of the general pool."
  type        = string
}

variable "node_count_min" {
  description = "Minimum nodes of the general pool, across zones."
  type        = number
}

variable "node_count_max" {
  description = "Maximum nodes of the general pool, across zones."
  type        = number
}

variable "gpu_node_pool" {
  description = "Create an NVIDIA GPU pool that scales from zero."
  type        = bool
  default     = false
}

variable "gpu_machine_type" {
  description = "Machine type of the GPU pool."
  type        = string
  default     = "g2-standard-4"
}

variable "gpu_accelerator_type" {
  description = "GPU model per node."
  type        = string
  default     = "nvidia-l4"
}

variable "gpu_count_max" {
  description = "Maximum nodes of the GPU pool, across zones."
  type        = number
  default     = 1
}
