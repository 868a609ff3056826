output "ids" {
  description = "Versionless resource ID of each secret, by name suffix (scope of role assignments)."
  value       = { for name, secret in azurerm_key_vault_secret.this : name => secret.resource_versionless_id }
}

output "names" {
  description = "Name of each secret, by name suffix (read a value with az keyvault secret show)."
  value       = { for name, secret in azurerm_key_vault_secret.this : name => secret.name }
}
