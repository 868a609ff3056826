output "client_id" {
  description = "Client ID for the annotation azure.workload.identity/client-id."
  value       = azurerm_user_assigned_identity.this.client_id
}
