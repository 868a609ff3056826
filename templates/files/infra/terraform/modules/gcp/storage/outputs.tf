output "name" {
  description = "Bucket name."
  value       = google_storage_bucket.this.name
}

output "log_bucket_name" {
  description = "Bucket holding this bucket's usage and storage logs."
  value       = google_storage_bucket.logs.name
}
