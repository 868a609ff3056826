output "provider_name" {
  description = "Full provider resource name (google-github-actions/auth workload_identity_provider)."
  value       = google_iam_workload_identity_pool_provider.this.name
}

output "service_account_email" {
  description = "Service account CI impersonates."
  value       = google_service_account.this.email
}
