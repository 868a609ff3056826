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
