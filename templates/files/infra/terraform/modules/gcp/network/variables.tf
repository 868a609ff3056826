variable "name" {
  description = "Name prefix of the network resources."
  type        = string
}

variable "region" {
  description = "Region of the subnet and the NAT."
  type        = string
}

variable "cidr" {
  description = "Primary range of the node subnet."
  type        = string
}

variable "pods_cidr" {
  description = "Secondary range for pod addresses."
  type        = string
  default     = "10.16.0.0/14"
}

variable "services_cidr" {
  description = "Secondary range for Service addresses."
  type        = string
  default     = "10.20.0.0/20"
}
