output "role_arn" {
  description = "Role CI assumes with its OIDC token."
  value       = aws_iam_role.this.arn
}
