variable "name" {
  description = "Cluster name."
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes minor version."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the control-plane interfaces and the nodes."
  type        = list(string)
}

variable "public_access_cidrs" {
  description = "Networks allowed to reach the public API endpoint."
  type        = list(string)
}

variable "node_instance_type" {
  description = "Instance type of the general node group."
  type        = string
}

variable "node_count_min" {
  description = "Minimum size of the general node group."
  type        = number
}

variable "node_count_max" {
  description = "Maximum size of the general node group."
  type        = number
}

variable "gpu_node_pool" {
  description = "Create a tainted NVIDIA GPU node group that scales from zero."
  type        = bool
  default     = false
}

variable "gpu_instance_type" {
  description = "Instance type of the GPU node group."
  type        = string
  default     = "g5.xlarge"
}

variable "gpu_count_max" {
  description = "Maximum size of the GPU node group."
  type        = number
  default     = 1
}

variable "log_retention_days" {
  description = "Days the control-plane logs are kept in CloudWatch Logs."
  type        = number
  default     = 365
}
