# Applied once per {{#if isAws}}account{{/if}}{{#if isGcp}}project{{/if}}{{#if isAzure}}subscription{{/if}} by an administrator, with local state: it creates the
# remote-state storage itself, so it cannot keep its state there before it exists.

terraform {
  required_version = "{{versions.terraform.terraform}}"

  required_providers {
    {{> terraform-cloud-provider}}
  }
}
{{#if isAws}}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project    = var.name
      managed-by = "terraform"
    }
  }
}
{{/if}}
{{#if isGcp}}

provider "google" {
  project = var.project_id
  region  = var.region
}
{{/if}}
{{#if isAzure}}

provider "azurerm" {
  subscription_id     = var.subscription_id
  storage_use_azuread = true

  features {}
}
{{/if}}
