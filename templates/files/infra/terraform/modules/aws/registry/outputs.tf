output "repository_url" {
  description = "Image reference without tag: <account>.dkr.ecr.<region>.amazonaws.com/<name>."
  value       = aws_ecr_repository.this.repository_url
}

output "arn" {
  description = "Repository ARN."
  value       = aws_ecr_repository.this.arn
}
