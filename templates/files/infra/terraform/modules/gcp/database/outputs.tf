output "private_ip" {
  description = "Private address of the instance."
  value       = google_sql_database_instance.this.private_ip_address
}

output "connection_name" {
  description = "Instance connection name (project:region:instance) for the Cloud SQL Auth Proxy."
  value       = google_sql_database_instance.this.connection_name
}

output "name" {
  description = "Database name."
  value       = google_sql_database.mlflow.name
}

output "username" {
  description = "Database user."
  value       = google_sql_user.mlflow.name
}

output "password_secret_id" {
  description = "Secret Manager secret holding the password (read it at runtime; never output the value)."
  value       = google_secret_manager_secret.password.id
}

output "backend_secret_id" {
  description = "Secret Manager secret with MLflow's backend store URI and artifact root (the External Secrets Operator reads it)."
  value       = google_secret_manager_secret.backend.id
}
