output "ids" {
  description = "Resource ID of each secret, by name suffix (for IAM bindings)."
  value       = { for name, secret in google_secret_manager_secret.this : name => secret.id }
}

output "names" {
  description = "Secret ID of each secret, by name suffix (read a value with gcloud secrets versions access)."
  value       = { for name, secret in google_secret_manager_secret.this : name => secret.secret_id }
}
