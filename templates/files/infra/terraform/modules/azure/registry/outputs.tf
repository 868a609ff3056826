output "name" {
  description = "Registry name (the host without .azurecr.io)."
  value       = azurerm_container_registry.this.name
}

output "login_server" {
  description = "Registry host (<name>.azurecr.io)."
  value       = azurerm_container_registry.this.login_server
}

output "id" {
  description = "Registry resource ID."
  value       = azurerm_container_registry.this.id
}
