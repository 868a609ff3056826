output "account_name" {
  description = "Storage account name."
  value       = azurerm_storage_account.this.name
}

output "account_id" {
  description = "Storage account ID."
  value       = azurerm_storage_account.this.id
}

output "container_ids" {
  description = "Resource manager IDs of the containers (role assignment scopes), by name."
  value       = { for name, container in azurerm_storage_container.this : name => container.id }
}
