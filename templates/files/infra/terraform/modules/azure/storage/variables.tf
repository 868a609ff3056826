variable "account_name" {
  description = "Globally unique storage account name (3-24 lowercase letters and digits)."
  type        = string
}

variable "location" {
  description = "Azure location."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group of the account."
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
