output "client_id" {
  description = "Client ID CI signs in with (azure/login client-id, ARM_CLIENT_ID)."
  value       = azurerm_user_assigned_identity.this.client_id
}
