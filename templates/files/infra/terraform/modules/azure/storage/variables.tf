variable "account_name" {
  description = "Globally unique storage account name (3-24 lowercase letters and digits)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]{3,24}$", var.account_name))
    error_message = "account_name must be 3-24 lowercase letters and digits."
  }
}

variable "location" {
  description = "Azure location."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group of the account."
  type        = string
}

variable "log_analytics_workspace_id" {
  description = "Log Analytics workspace that receives the blob access logs."
  type        = string
}

variable "containers" {
  description = "Private containers to create."
  type        = list(string)
}

variable "highly_available" {
  description = "Zone-redundant (ZRS) instead of locally redundant storage."
  type        = bool
  default     = false
}

variable "soft_delete_days" {
  description = "Days deleted blobs and containers can be restored."
  type        = number
  default     = 30
}

variable "noncurrent_version_days" {
  description = "Days a previous blob version is kept."
  type        = number
  default     = 90
}
