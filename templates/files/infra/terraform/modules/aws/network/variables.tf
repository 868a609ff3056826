variable "name" {
  description = "Name prefix of the network resources."
  type        = string
}

variable "cidr" {
  description = "Address range of the VPC."
  type        = string
}

variable "zone_count" {
  description = "Availability zones to spread subnets over."
  type        = number
  default     = 3
}

variable "highly_available" {
  description = "One NAT gateway per zone instead of a single shared one."
  type        = bool
}

variable "cluster_tag_value" {
  description = "EKS cluster name, tagged on subnets so load balancers find them."
  type        = string
}

variable "flow_log_retention_days" {
  description = "Days VPC flow logs are kept in CloudWatch Logs."
  type        = number
  default     = 365
}
