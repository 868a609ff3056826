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

variable "artifacts_destination" {
  description = "MLflow's artifact root (bucket URL), written beside the database URI into the mlflow-backend secret."
  type        = string
}

variable "password_version" {
  description = "Version of the database password: increase it to generate a new one (written to the user, its secret and the backend secret in one apply)."
  type        = number
}

variable "secret_prefix" {
  description = "Prefix of the backend secret's name (project and environment), as the other secrets the External Secrets Operator reads."
  type        = string
}
