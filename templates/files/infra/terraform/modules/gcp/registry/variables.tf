variable "name" {
  description = "Repository ID (the image name)."
  type        = string
}

variable "location" {
  description = "Region of the repository."
  type        = string
}

variable "keep_images" {
  description = "Most recent versions always kept by the cleanup policies."
  type        = number
  default     = 100
}
