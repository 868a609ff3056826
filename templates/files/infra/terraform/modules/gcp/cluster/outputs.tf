output "name" {
  description = "Cluster name."
  value       = google_container_cluster.this.name
}

output "id" {
  description = "Cluster ID."
  value       = google_container_cluster.this.id
}

output "workload_pool" {
  description = "Workload Identity pool of the cluster (<project>.svc.id.goog)."
  value       = google_container_cluster.this.workload_identity_config[0].workload_pool
}

output "node_service_account" {
  description = "Service account of the nodes (needs to pull images)."
  value       = google_service_account.nodes.email
}
