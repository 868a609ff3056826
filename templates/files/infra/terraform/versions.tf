terraform {
  required_version = "{{versions.terraform.terraform}}"

  required_providers {
    {{> terraform-cloud-provider}}
{{#if (oneOf cloud "gcp" "azure")}}
    # Generates the database password and MLflow's credentials at apply time (ephemeral: written to {{#if isGcp}}Secret Manager{{else}}Key Vault{{/if}}, never in state or outputs).
    random = {
      source  = "hashicorp/random"
      version = "{{versions.terraform.providers.random}}"
    }
{{/if}}
  }

  # Partial configuration: the rest comes from environments/<env>.tfbackend and
  # the bootstrap outputs at `terraform init` (see the README).
{{#if isAws}}
  backend "s3" {
    encrypt      = true
    use_lockfile = true
  }
{{/if}}
{{#if isGcp}}
  backend "gcs" {}
{{/if}}
{{#if isAzure}}
  backend "azurerm" {
    use_azuread_auth = true
  }
{{/if}}
}
