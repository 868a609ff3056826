# A storage account with private containers: encrypted at rest (with an extra
# infrastructure layer), TLS 1.2 only, no public blobs, no shared keys (Entra ID
# only), blob versioning with soft delete; blob reads, writes and deletes are
# logged to Log Analytics.

terraform {
  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
    }
  }
}

resource "azurerm_storage_account" "this" {
  #checkov:skip=CKV_AZURE_43:account_name is built from locals checkov cannot resolve; the variable's validation enforces 3-24 lowercase letters and digits
  #checkov:skip=CKV_AZURE_59:Terraform (state, from CI runners and operators) and DVC clients outside the VNet use the public endpoint; every request needs Entra ID (shared keys are off)
  #checkov:skip=CKV2_AZURE_33:No private endpoint: hosted CI runners and operators reach the account over its public endpoint with Entra ID (shared keys are off)
  #checkov:skip=CKV_AZURE_206:Data stays in one region: ZRS when highly_available, LRS otherwise; geo-redundant storage roughly doubles the cost (change account_replication_type to GZRS per README)
  #checkov:skip=CKV2_AZURE_1:Encrypted at rest with Microsoft-managed keys plus infrastructure encryption; customer-managed keys need a Key Vault key, its rotation and access for every account
  #checkov:skip=CKV_AZURE_33:The account holds blobs only (no queue is created), so queue logging would record nothing; blob requests are logged by azurerm_monitor_diagnostic_setting.blob
  name                     = var.account_name
  location                 = var.location
  resource_group_name      = var.resource_group_name
  account_kind             = "StorageV2"
  account_tier             = "Standard"
  account_replication_type = var.highly_available ? "ZRS" : "LRS"

  min_tls_version                   = "TLS1_2"
  https_traffic_only_enabled        = true
  allow_nested_items_to_be_public   = false
  shared_access_key_enabled         = false
  infrastructure_encryption_enabled = true

  blob_properties {
    versioning_enabled = true

    delete_retention_policy {
      days = var.soft_delete_days
    }

    container_delete_retention_policy {
      days = var.soft_delete_days
    }
  }
}

resource "azurerm_storage_container" "this" {
  #checkov:skip=CKV2_AZURE_21:Blob reads, writes and deletes are logged by azurerm_monitor_diagnostic_setting.blob; the check only accepts Log Analytics storage insights, which need the account key (shared keys are off)
  for_each = toset(var.containers)

  name                  = each.value
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
}

# Access logs of the blob service: who read, wrote or deleted which blob.
resource "azurerm_monitor_diagnostic_setting" "blob" {
  name                       = "blob-access-logs"
  target_resource_id         = "${azurerm_storage_account.this.id}/blobServices/default"
  log_analytics_workspace_id = var.log_analytics_workspace_id

  enabled_log {
    category = "StorageRead"
  }

  enabled_log {
    category = "StorageWrite"
  }

  enabled_log {
    category = "StorageDelete"
  }
}

resource "azurerm_storage_management_policy" "this" {
  storage_account_id = azurerm_storage_account.this.id

  rule {
    name    = "expire-old-versions"
    enabled = true

    filters {
      blob_types = ["blockBlob"]
    }

    actions {
      version {
        delete_after_days_since_creation = var.noncurrent_version_days
      }
    }
  }
}
