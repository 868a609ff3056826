output "name" {
  description = "Name of the access-log bucket, once S3 log delivery may write to it."
  value       = aws_s3_bucket.this.id

  # Buckets that log here are configured only after the delivery policy exists.
  depends_on = [aws_s3_bucket_policy.this, aws_s3_bucket_ownership_controls.this]
}

output "arn" {
  description = "ARN of the access-log bucket."
  value       = aws_s3_bucket.this.arn
}
