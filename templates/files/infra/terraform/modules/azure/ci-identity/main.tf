# A user-assigned identity CI signs in as through a federated identity
# credential (no client secret): it trusts one exact subject, that is one
# repository and environment or protected branch. It may push to the registry
# and change objects in the service's namespace only (Azure RBAC for Kubernetes).

terraform {
  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
    }
  }
}

resource "azurerm_user_assigned_identity" "this" {
  name                = var.name
  location            = var.location
  resource_group_name = var.resource_group_name
}

resource "azurerm_federated_identity_credential" "this" {
  name                = var.credential_name
  resource_group_name = var.resource_group_name
  parent_id           = azurerm_user_assigned_identity.this.id
  issuer              = var.oidc_issuer
  subject             = var.oidc_subject
  audience            = ["api://AzureADTokenExchange"]
}

resource "azurerm_role_assignment" "push" {
  scope                = var.registry_id
  role_definition_name = "AcrPush"
  principal_id         = azurerm_user_assigned_identity.this.principal_id
}

# Lets `az aks get-credentials` fetch a kubeconfig (it holds no credentials with Entra ID auth).
resource "azurerm_role_assignment" "cluster_user" {
  scope                = var.cluster_id
  role_definition_name = "Azure Kubernetes Service Cluster User Role"
  principal_id         = azurerm_user_assigned_identity.this.principal_id
}

# Built-in kinds only: Azure roles cannot grant writes to custom resources, so
# the Role in deploy/k8s/cluster does, bound to this identity's object ID.
resource "azurerm_role_assignment" "namespace_writer" {
  scope                = "${var.cluster_id}/namespaces/${var.namespace}"
  role_definition_name = "Azure Kubernetes Service RBAC Writer"
  principal_id         = azurerm_user_assigned_identity.this.principal_id
}

resource "azurerm_role_assignment" "read" {
  for_each = var.read_scopes

  scope                = each.value
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_user_assigned_identity.this.principal_id
}
