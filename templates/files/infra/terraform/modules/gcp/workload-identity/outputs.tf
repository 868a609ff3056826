output "email" {
  description = "Service account e-mail for the annotation iam.gke.io/gcp-service-account."
  value       = google_service_account.this.email
}
