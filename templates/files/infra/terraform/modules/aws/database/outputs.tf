output "address" {
  description = "Host name of the database."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Port of the database."
  value       = aws_db_instance.this.port
}

output "name" {
  description = "Database name."
  value       = aws_db_instance.this.db_name
}

output "username" {
  description = "Master user name."
  value       = aws_db_instance.this.username
}

output "password_secret_arn" {
  description = "Secrets Manager secret that holds the password (read it at run time; it is not in state)."
  value       = aws_secretsmanager_secret_version.password.arn
}

output "backend_secret_arn" {
  description = "Secrets Manager secret with MLflow's backend store URI and artifact root (the External Secrets Operator reads it)."
  value       = aws_secretsmanager_secret.backend.arn
}
