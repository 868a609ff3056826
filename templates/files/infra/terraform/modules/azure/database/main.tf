# PostgreSQL Flexible Server, the MLflow backend store: reachable only inside
# the virtual network, TLS enforced by default, backups, zone-redundant standby
# when highly available. The password is generated at apply time (ephemeral)
# and written to the server and to Key Vault through write-only arguments: it
# is never in Terraform state, plan or outputs. The same apply writes MLflow's
# backend store URI with it into the secret <secret_prefix>-mlflow-backend, which the External
# Secrets Operator copies into the Kubernetes Secret mlflow-backend; bump
# password_version to rotate it.

terraform {
  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
    }
    random = {
      source = "hashicorp/random"
    }
  }
}

data "azurerm_client_config" "current" {}

ephemeral "random_password" "mlflow" {
  length  = 32
  special = false
}

resource "azurerm_postgresql_flexible_server" "this" {
  #checkov:skip=CKV2_AZURE_57:VNet-integrated (delegated subnet, public access disabled): Azure offers private endpoints only to servers in public access mode
  #checkov:skip=CKV_AZURE_136:Backups stay in the server's region (zone-redundant standby when highly_available); geo-redundant backup storage doubles backup cost and cannot be turned on after creation without a restore
  name                = var.name
  location            = var.location
  resource_group_name = var.resource_group_name
  version             = var.postgres_version
  sku_name            = var.sku_name
  storage_mb          = 32768
  auto_grow_enabled   = true
  zone                = "1"

  delegated_subnet_id           = var.subnet_id
  private_dns_zone_id           = var.private_dns_zone_id
  public_network_access_enabled = false

  administrator_login               = "mlflow"
  administrator_password_wo         = ephemeral.random_password.mlflow.result
  administrator_password_wo_version = var.password_version

  backup_retention_days = var.highly_available ? 14 : 7

  dynamic "high_availability" {
    for_each = var.highly_available ? [1] : []
    content {
      mode = "ZoneRedundant"
    }
  }

  lifecycle {
    # Azure may swap primary and standby zones after a failover.
    ignore_changes = [zone, high_availability[0].standby_availability_zone]
  }
}

resource "azurerm_postgresql_flexible_server_database" "mlflow" {
  name      = "mlflow"
  server_id = azurerm_postgresql_flexible_server.this.id
  charset   = "UTF8"
  collation = "en_US.utf8"
}

resource "azurerm_key_vault" "this" {
  #checkov:skip=CKV_AZURE_109:Terraform (CI runners, operators) writes the secret and administrators read it with az keyvault from outside the VNet (README); every request needs Entra ID RBAC
  #checkov:skip=CKV_AZURE_189:Terraform (CI runners, operators) writes the secret and administrators read it with az keyvault from outside the VNet (README); every request needs Entra ID RBAC
  #checkov:skip=CKV2_AZURE_32:No private endpoint: Terraform and administrators reach the vault from outside the VNet; access needs Entra ID RBAC and purge protection is on
  name                       = var.key_vault_name
  location                   = var.location
  resource_group_name        = var.resource_group_name
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "standard"
  enable_rbac_authorization  = true
  purge_protection_enabled   = true
  soft_delete_retention_days = 90
}

# Whoever runs Terraform writes the secret; readers get their own assignment.
resource "azurerm_role_assignment" "secrets_officer" {
  scope                = azurerm_key_vault.this.id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = data.azurerm_client_config.current.object_id
}

resource "azurerm_key_vault_secret" "password" {
  name             = "mlflow-database-password"
  value_wo         = ephemeral.random_password.mlflow.result
  value_wo_version = var.password_version
  key_vault_id     = azurerm_key_vault.this.id
  content_type     = "password"
  # A rotation reminder one year after creation (Key Vault still returns expired
  # secrets); set once, later applies leave it alone.
  expiration_date = timeadd(plantimestamp(), "8760h")

  lifecycle {
    ignore_changes = [expiration_date]
  }

  depends_on = [azurerm_role_assignment.secrets_officer]
}

# MLflow's backend store URI (password URL-encoded) and artifact root: the keys
# of the Kubernetes Secret mlflow-backend, written with the password.
resource "azurerm_key_vault_secret" "backend" {
  name         = "${var.secret_prefix}-mlflow-backend"
  key_vault_id = azurerm_key_vault.this.id
  content_type = "application/json"
  value_wo = jsonencode({
    "backend-store-uri"     = "postgresql://${azurerm_postgresql_flexible_server.this.administrator_login}:${urlencode(ephemeral.random_password.mlflow.result)}@${azurerm_postgresql_flexible_server.this.fqdn}:5432/${azurerm_postgresql_flexible_server_database.mlflow.name}"
    "artifacts-destination" = var.artifacts_destination
  })
  value_wo_version = var.password_version
  # A rotation reminder one year after creation, as for the password.
  expiration_date = timeadd(plantimestamp(), "8760h")

  lifecycle {
    ignore_changes = [expiration_date]
  }

  depends_on = [azurerm_role_assignment.secrets_officer]
}
