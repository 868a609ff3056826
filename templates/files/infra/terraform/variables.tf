variable "name" {
  description = "Project name: prefix of every resource name and the container repository name."
  type        = string
  default     = "{{name}}"
}

variable "environment" {
  description = "Deployment environment; one state per environment (environments/<env>.tfvars and .tfbackend)."
  type        = string

  validation {
    condition     = contains(["staging", "prod"], var.environment)
    error_message = "environment must be \"staging\" or \"prod\"."
  }
}

{{#if isGcp}}
variable "project_id" {
  description = "Google Cloud project that holds this environment (the registry lives in the bootstrap project)."
  type        = string
}

variable "registry_project_id" {
  description = "Project where bootstrap/ created the Artifact Registry repository; defaults to project_id."
  type        = string
  default     = null
}

{{/if}}
{{#if isAzure}}
variable "subscription_id" {
  description = "Azure subscription that holds this environment."
  type        = string
}

variable "registry_resource_group_name" {
  description = "Resource group where bootstrap/ created the container registry."
  type        = string
  default     = "{{name}}-shared"
}

{{/if}}
variable "region" {
  description = "{{#if isAzure}}Azure location{{else}}Cloud region{{/if}} of the cluster, storage and database."
  type        = string
  default     = "{{region}}"
}

variable "ci_repository" {
  description = "{{#if isGithub}}GitHub repository (\"org/repo\") whose workflows may deploy this environment{{else}}GitLab project path (\"group/project\") whose pipelines may deploy this environment{{/if}}."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$", var.ci_repository))
    error_message = "ci_repository must look like \"org/repo\"."
  }
}

{{#if isGitlab}}
variable "ci_ref" {
  description = "Protected branch whose pipelines may deploy this environment (GitLab tokens carry no environment in their subject)."
  type        = string
  default     = "main"
}

{{/if}}
variable "kubernetes_version" {
  description = "Kubernetes minor version of the cluster."
  type        = string
  default     = "{{#if isAws}}{{versions.terraform.kubernetes.aws}}{{/if}}{{#if isGcp}}{{versions.terraform.kubernetes.gcp}}{{/if}}{{#if isAzure}}{{versions.terraform.kubernetes.azure}}{{/if}}"
}

variable "node_machine_type" {
  description = "Machine type of the general node pool."
  type        = string
}

variable "node_count_min" {
  description = "Minimum nodes of the general pool (autoscaled)."
  type        = number
}

variable "node_count_max" {
  description = "Maximum nodes of the general pool (autoscaled)."
  type        = number
}

{{#if gpu}}
variable "gpu_machine_type" {
  description = "Machine type of the GPU node pool (NVIDIA)."
  type        = string
}

{{#if isGcp}}
variable "gpu_accelerator_type" {
  description = "GPU model attached to each GPU node."
  type        = string
  default     = "nvidia-l4"
}

{{/if}}
variable "gpu_count_max" {
  description = "Maximum nodes of the GPU pool; it scales to zero when no pod asks for a GPU."
  type        = number
}

{{/if}}
variable "database_tier" {
  description = "Instance class of the managed PostgreSQL that backs MLflow."
  type        = string
}

variable "highly_available" {
  description = "Zone-redundant database and network egress (prod); staging trades this for cost."
  type        = bool
}

variable "deletion_protection" {
  description = "Protect the cluster, database and buckets from `terraform destroy`."
  type        = bool
}
{{#if isAws}}

variable "vpc_cidr" {
  description = "Address range of the VPC; private and public subnets are carved from it per availability zone."
  type        = string
  default     = "10.0.0.0/16"
}

variable "cluster_endpoint_public_cidrs" {
  description = "Networks allowed to reach the public Kubernetes API endpoint (CI runners and operators)."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}
{{/if}}

variable "database_password_version" {
  description = "Increase to rotate the MLflow database password (docs/runbook.md): a new one is written to the database, its secret and the mlflow-backend secret in one apply."
  type        = number
  default     = 1
}

variable "mlflow_credentials_version" {
  description = "Increase to generate new MLflow user passwords, admin password, form key and API key (README, Deploying to Kubernetes): the External Secrets Operator copies them within its refresh interval ({{cloudSecrets.refreshInterval}}); then restart MLflow and its clients."
  type        = number
  default     = 1
}
{{#if isGcp}}

variable "network_cidr" {
  description = "Primary range of the cluster subnet; pods and services use secondary ranges."
  type        = string
  default     = "10.0.0.0/20"
}

variable "cluster_endpoint_public_cidrs" {
  description = "Networks allowed to reach the Kubernetes API endpoint (CI runners and operators)."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}
{{/if}}
{{#if isAzure}}

variable "vnet_cidr" {
  description = "Address space of the virtual network (node and database subnets)."
  type        = string
  default     = "10.0.0.0/16"
}

variable "cluster_endpoint_public_cidrs" {
  description = "Networks allowed to reach the Kubernetes API endpoint (CI runners and operators); empty allows all."
  type        = list(string)
  default     = []
}
{{/if}}
