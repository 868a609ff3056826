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
  description = "Secrets Manager secret that holds the master password (read it at runtime; it is not in state)."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}
