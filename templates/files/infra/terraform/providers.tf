{{#if isAws}}
provider "aws" {
  region = var.region

  default_tags {
    tags = local.labels
  }
}
{{/if}}
{{#if isGcp}}
provider "google" {
  project = var.project_id
  region  = var.region

  default_labels = local.labels
}
{{/if}}
{{#if isAzure}}
provider "azurerm" {
  subscription_id = var.subscription_id
  # Storage data-plane calls use Entra ID, so storage accounts need no shared keys.
  storage_use_azuread = true

  features {}
}
{{/if}}
