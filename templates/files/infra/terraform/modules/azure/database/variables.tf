variable "name" {
  description = "Server name (globally unique DNS label)."
  type        = string
}

variable "key_vault_name" {
  description = "Key Vault name for the password (3-24 characters, globally unique)."
  type        = string
}

variable "location" {
  description = "Azure location."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group of the server."
  type        = string
}

variable "postgres_version" {
  description = "PostgreSQL major version."
  type        = string
}

variable "sku_name" {
  description = "Compute SKU (B_ burstable, GP_ general purpose)."
  type        = string
}

variable "highly_available" {
  description = "Zone-redundant standby and longer backup retention."
  type        = bool
}

variable "subnet_id" {
  description = "Subnet delegated to PostgreSQL Flexible Server."
  type        = string
}

variable "private_dns_zone_id" {
  description = "Private DNS zone linked to the network."
  type        = string
}

variable "artifacts_destination" {
  description = "MLflow's artifact root (bucket URL), written beside the database URI into the mlflow-backend secret."
  type        = string
}

variable "password_version" {
  description = "Version of the database password: increase it to generate a new one (written to the server, its secret and the backend secret in one apply)."
  type        = number
}

variable "secret_prefix" {
  description = "Prefix of the backend secret's name (project and environment), as the other secrets of the vault."
  type        = string
}
