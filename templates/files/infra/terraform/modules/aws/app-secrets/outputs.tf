output "arns" {
  description = "ARN of each secret, by name suffix."
  value       = { for name, secret in aws_secretsmanager_secret.this : name => secret.arn }
}

output "names" {
  description = "Name of each secret, by name suffix (read a value with aws secretsmanager get-secret-value)."
  value       = { for name, secret in aws_secretsmanager_secret.this : name => secret.name }
}
