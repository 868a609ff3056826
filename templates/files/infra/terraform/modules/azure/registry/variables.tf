variable "name" {
  description = "Registry name: the host without .azurecr.io (5-50 letters and digits)."
  type        = string
}

variable "location" {
  description = "Azure location."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group of the registry."
  type        = string
}
