variable "name_prefix" {
  description = "Prefix of the secrets' names (project and environment)."
  type        = string
}

variable "secrets" {
  description = "Secrets to generate: name suffix => the JSON keys, each given a random value."
  type        = map(list(string))
}

variable "credentials_version" {
  description = "Increase to generate and write new values."
  type        = number
}

variable "key_vault_id" {
  description = "Key Vault of the environment (RBAC authorization; whoever runs Terraform is its secrets officer)."
  type        = string
}
