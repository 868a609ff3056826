variable "bucket_name" {
  description = "Globally unique name of the access-log bucket."
  type        = string
}

variable "retention_days" {
  description = "Days an access log is kept."
  type        = number
  default     = 365
}
