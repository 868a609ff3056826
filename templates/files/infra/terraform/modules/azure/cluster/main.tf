# AKS with the OIDC issuer and Workload Identity, Entra ID authentication with
# Azure RBAC (no local accounts), Azure CNI overlay with Cilium network
# policies, the Azure Policy add-on, control-plane audit logs in Log Analytics,
# automatic patch upgrades, and pull access to the shared registry.

terraform {
  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
    }
  }
}

data "azurerm_client_config" "current" {}

resource "azurerm_kubernetes_cluster" "this" {
  #checkov:skip=CKV_AZURE_115:CI runners on hosted GitHub/GitLab machines must reach the API server; it stays public, Entra ID only, limited by cluster_endpoint_public_cidrs
  #checkov:skip=CKV_AZURE_4:Container Insights is billed per GB ingested and duplicates kube-prometheus-stack (README add-ons); control-plane audit logs go to Log Analytics (azurerm_monitor_diagnostic_setting.audit)
  #checkov:skip=CKV_AZURE_117:OS disks are encrypted at rest with platform-managed keys; a disk encryption set needs a customer-managed Key Vault key and its rotation
  #checkov:skip=CKV_AZURE_226:The default node sizes (Standard_D2s_v5, D4s_v5) have no cache or temp disk, which ephemeral OS disks need
  #checkov:skip=CKV_AZURE_227:Encryption at host needs the subscription feature Microsoft.Compute/EncryptionAtHost registered first (az feature register), which would break the first deploy; disks are encrypted at rest by the platform
  #checkov:skip=CKV_AZURE_232:The default pool is the only general pool and runs the service and MLflow; a CriticalAddonsOnly system pool would add at least one more node per environment
  #checkov:skip=CKV_AZURE_172:The Secrets Store CSI driver add-on is not enabled: no pod mounts Key Vault secrets (the MLflow password reaches the cluster as a Kubernetes Secret, README step 8)
  name                = var.name
  location            = var.location
  resource_group_name = var.resource_group_name
  dns_prefix          = var.name
  kubernetes_version  = var.kubernetes_version
  sku_tier            = var.highly_available ? "Standard" : "Free"

  oidc_issuer_enabled       = true
  workload_identity_enabled = true

  local_account_disabled            = true
  role_based_access_control_enabled = true
  azure_active_directory_role_based_access_control {
    azure_rbac_enabled = true
    tenant_id          = data.azurerm_client_config.current.tenant_id
  }

  # Gatekeeper with Azure Policy: built-in pod security definitions can be assigned to the cluster.
  azure_policy_enabled = true

  automatic_upgrade_channel = "patch"
  node_os_upgrade_channel   = "NodeImage"

  default_node_pool {
    name                        = "general"
    temporary_name_for_rotation = "generaltmp"
    vm_size                     = var.node_vm_size
    vnet_subnet_id              = var.subnet_id
    auto_scaling_enabled        = true
    max_pods                    = 250 # the Azure CNI Overlay default, set explicitly
    min_count                   = var.node_count_min
    max_count                   = var.node_count_max
    node_labels = {
      pool = "general"
    }

    upgrade_settings {
      max_surge = "33%"
    }
  }

  identity {
    type = "SystemAssigned"
  }

  network_profile {
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_data_plane  = "cilium"
    network_policy      = "cilium"
    load_balancer_sku   = "standard"
  }

  dynamic "api_server_access_profile" {
    for_each = length(var.public_access_cidrs) > 0 ? [1] : []
    content {
      authorized_ip_ranges = var.public_access_cidrs
    }
  }
}

# NVIDIA drivers come with the AKS GPU node image; only GPU pods tolerate the taint.
resource "azurerm_kubernetes_cluster_node_pool" "gpu" {
  #checkov:skip=CKV_AZURE_227:Encryption at host needs the subscription feature Microsoft.Compute/EncryptionAtHost registered first (az feature register), which would break the first deploy; disks are encrypted at rest by the platform
  count = var.gpu_node_pool ? 1 : 0

  name                  = "gpu"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.this.id
  vm_size               = var.gpu_vm_size
  vnet_subnet_id        = var.subnet_id
  auto_scaling_enabled  = true
  max_pods              = 250 # the Azure CNI Overlay default, set explicitly
  min_count             = 0
  max_count             = var.gpu_count_max
  node_taints           = ["nvidia.com/gpu=present:NoSchedule"]
  node_labels = {
    pool = "gpu"
  }
}

# Control-plane audit logs: kube-audit-admin (every request but get and list) and
# guard (Entra ID and Azure RBAC authorization decisions).
resource "azurerm_monitor_diagnostic_setting" "audit" {
  name                       = "control-plane-audit"
  target_resource_id         = azurerm_kubernetes_cluster.this.id
  log_analytics_workspace_id = var.log_analytics_workspace_id

  enabled_log {
    category = "kube-audit-admin"
  }

  enabled_log {
    category = "guard"
  }
}

# The cluster identity manages load balancers and routes in the node subnet.
resource "azurerm_role_assignment" "network" {
  scope                = var.subnet_id
  role_definition_name = "Network Contributor"
  principal_id         = azurerm_kubernetes_cluster.this.identity[0].principal_id
}

resource "azurerm_role_assignment" "pull" {
  scope                            = var.registry_id
  role_definition_name             = "AcrPull"
  principal_id                     = azurerm_kubernetes_cluster.this.kubelet_identity[0].object_id
  skip_service_principal_aad_check = true
}
