variable "name" {
  description = "Project name: the container repository and the prefix of the state {{#if isAzure}}storage account{{else}}bucket{{/if}}."
  type        = string
  default     = "{{name}}"
}

variable "region" {
  description = "{{#if isAzure}}Azure location{{else}}Region{{/if}} of the state storage and the registry."
  type        = string
  default     = "{{region}}"
}
{{#if isGcp}}

variable "project_id" {
  description = "Project that holds the Terraform state and the shared Artifact Registry repository."
  type        = string
}

variable "ci_repository" {
  description = "{{#if isGithub}}GitHub repository (\"org/repo\") whose pull requests may run terraform plan{{else}}GitLab project path (\"group/project\") whose merge requests may run terraform plan{{/if}}."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$", var.ci_repository))
    error_message = "ci_repository must look like \"org/repo\"."
  }
}
{{/if}}
{{#if isAzure}}

variable "subscription_id" {
  description = "Subscription that holds the Terraform state and the shared container registry."
  type        = string
}
{{/if}}
{{#if isAzure}}

variable "enable_defender_for_containers" {
  description = "Turn on Microsoft Defender for Containers (registry image scanning) for the whole subscription."
  type        = bool
  default     = true
}
{{/if}}
