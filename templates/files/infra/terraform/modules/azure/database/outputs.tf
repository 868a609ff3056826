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
  description = "Key Vault holding the password; available once whoever runs Terraform may write its secrets."
  value       = azurerm_key_vault.this.id
  depends_on  = [azurerm_role_assignment.secrets_officer]
}

output "password_secret_id" {
  description = "Versionless ID of the Key Vault secret with the password (never output the value)."
  value       = azurerm_key_vault_secret.password.versionless_id
}

output "key_vault_uri" {
  description = "URI of the Key Vault (the External Secrets Operator's vaultUrl)."
  value       = azurerm_key_vault.this.vault_uri
}

output "key_vault_name" {
  description = "Name of the Key Vault."
  value       = azurerm_key_vault.this.name
}

output "backend_secret_id" {
  description = "Versionless resource ID of the secret with MLflow's backend store URI and artifact root (scope of its readers' role assignments)."
  value       = azurerm_key_vault_secret.backend.resource_versionless_id
}
