variable "name" {
  description = "Name prefix of the network resources."
  type        = string
}

variable "location" {
  description = "Azure location."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group of the network."
  type        = string
}

variable "cidr" {
  description = "Address space of the virtual network."
  type        = string
}
