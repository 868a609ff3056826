variable "name" {
  description = "Instance name."
  type        = string
}

variable "region" {
  description = "Region of the instance."
  type        = string
}

variable "database_version" {
  description = "Cloud SQL PostgreSQL version (POSTGRES_<major>)."
  type        = string
}

variable "tier" {
  description = "Machine tier (db-custom-<vCPU>-<MiB>)."
  type        = string
}

variable "highly_available" {
  description = "Regional (standby in another zone) instead of zonal."
  type        = bool
}

variable "deletion_protection" {
  description = "Refuse deletion of the instance."
  type        = bool
}

variable "network_id" {
  description = "VPC network the private IP is allocated in."
  type        = string
}

variable "private_services_connection" {
  description = "Private services access peering; the instance is created after it."
  type        = string
}
