output "client_id" {
  description = "Client ID CI signs in with (azure/login client-id, ARM_CLIENT_ID)."
  value       = azurerm_user_assigned_identity.this.client_id
}

output "principal_id" {
  description = "Object ID of the identity: its Kubernetes user name (RBAC subject)."
  value       = azurerm_user_assigned_identity.this.principal_id
}
