output "repository_url" {
  description = "Image reference without tag: <region>-docker.pkg.dev/<project>/<name>/<name>."
  value       = "${google_artifact_registry_repository.this.location}-docker.pkg.dev/${google_artifact_registry_repository.this.project}/${google_artifact_registry_repository.this.repository_id}/${var.name}"
}

output "repository_id" {
  description = "Repository ID, for IAM bindings on the repository."
  value       = google_artifact_registry_repository.this.repository_id
}
