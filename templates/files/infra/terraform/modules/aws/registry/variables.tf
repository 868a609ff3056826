variable "name" {
  description = "Repository name (the image name)."
  type        = string
}

variable "keep_images" {
  description = "Images kept; older ones expire (rollback needs recent ones only)."
  type        = number
  default     = 100
}
