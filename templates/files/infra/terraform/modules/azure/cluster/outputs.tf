output "name" {
  description = "Cluster name."
  value       = azurerm_kubernetes_cluster.this.name
}

output "id" {
  description = "Cluster resource ID (scope of Kubernetes RBAC role assignments)."
  value       = azurerm_kubernetes_cluster.this.id
}

output "oidc_issuer_url" {
  description = "Issuer of the service-account tokens, trusted by federated identity credentials."
  value       = azurerm_kubernetes_cluster.this.oidc_issuer_url
}
