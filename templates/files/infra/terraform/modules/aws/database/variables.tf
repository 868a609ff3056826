variable "name" {
  description = "Identifier of the database instance."
  type        = string
}

variable "engine_version" {
  description = "PostgreSQL major version."
  type        = string
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the database."
  type        = list(string)
}

variable "client_security_group_id" {
  description = "Security group allowed to connect on 5432 (the cluster's)."
  type        = string
}

variable "multi_az" {
  description = "Standby replica in another zone and longer backup retention."
  type        = bool
}

variable "deletion_protection" {
  description = "Refuse deletion; when off, no final snapshot is taken."
  type        = bool
}

variable "log_retention_days" {
  description = "Days the exported PostgreSQL logs are kept in CloudWatch Logs."
  type        = number
  default     = 365
}

variable "password_version" {
  description = "Version of the database password: increase it to generate a new one (written to the instance and the secret in one apply)."
  type        = number
  default     = 1
}

variable "artifacts_destination" {
  description = "MLflow's artifact root (bucket URL), written beside the database URI into the mlflow-backend secret."
  type        = string
}

variable "secret_prefix" {
  description = "Prefix of the backend secret's name (project and environment), as the other secrets the External Secrets Operator reads."
  type        = string
}
