# The shared container registry: Premium for retention of untagged manifests
# and zone redundancy, no admin user (Entra ID tokens only), no anonymous pull.
# ACR has no registry-wide tag immutability: CI pushes a unique tag per commit,
# deploys by digest and locks each pushed tag (see the README). Image scanning
# comes from Microsoft Defender for Containers, enabled by the bootstrap.

terraform {
  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
    }
  }
}

resource "azurerm_container_registry" "this" {
  name                = var.name
  location            = var.location
  resource_group_name = var.resource_group_name
  sku                 = "Premium"

  admin_enabled                 = false
  anonymous_pull_enabled        = false
  zone_redundancy_enabled       = true
  public_network_access_enabled = true
  retention_policy_in_days      = 14
}
