output "server_id" {
  description = "Server resource ID."
  value       = azurerm_postgresql_flexible_server.this.id
}

output "host" {
  description = "Private host name of the server."
  value       = azurerm_postgresql_flexible_server.this.fqdn
}

output "name" {
  description = "Database name."
  value       = azurerm_postgresql_flexible_server_database.mlflow.name
}

output "username" {
  description = "Administrator login used by MLflow."
  value       = azurerm_postgresql_flexible_server.this.administrator_login
}

output "key_vault_id" {
  description = "Key Vault holding the password."
  value       = azurerm_key_vault.this.id
}

output "password_secret_id" {
  description = "Versionless ID of the Key Vault secret with the password (never output the value)."
  value       = azurerm_key_vault_secret.password.versionless_id
}
