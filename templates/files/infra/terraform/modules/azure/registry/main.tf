# The shared container registry: Premium for retention of untagged manifests
# and zone redundancy, no admin user (Entra ID tokens only), no anonymous pull.
# ACR has no registry-wide tag immutability: CI pushes a unique tag per commit,
# deploys by digest and locks each pushed tag (see the README). Image scanning
# comes from Microsoft Defender for Containers, enabled by the bootstrap. Layers
# are served from a dedicated data endpoint (<name>.<location>.data.azurecr.io).

terraform {
  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
    }
  }
}

resource "azurerm_container_registry" "this" {
  #checkov:skip=CKV_AZURE_139:Hosted CI runners push and the clusters pull over the public endpoint (no private endpoint); admin user and anonymous pull are off, every request needs Entra ID
  #checkov:skip=CKV_AZURE_165:One region: the clusters run in the registry's location; geo-replication bills a Premium registry per extra region
  #checkov:skip=CKV_AZURE_166:Quarantine blocks every pull until an external scanner marks the image; Defender for Containers scans without quarantine, and CI's Trivy scan gates the push
  #checkov:skip=CKV_AZURE_164:Docker Content Trust is deprecated in ACR (Notary Project signing replaces it); CI deploys the pushed image by digest
  name                = var.name
  location            = var.location
  resource_group_name = var.resource_group_name
  sku                 = "Premium"

  admin_enabled                 = false
  anonymous_pull_enabled        = false
  zone_redundancy_enabled       = true
  public_network_access_enabled = true
  retention_policy_in_days      = 14
  data_endpoint_enabled         = true
}
