output "network_id" {
  description = "ID of the VPC network."
  value       = google_compute_network.this.id
}

output "subnetwork_id" {
  description = "ID of the node subnet."
  value       = google_compute_subnetwork.nodes.id
}

output "private_services_connection" {
  description = "Peering for private services access (Cloud SQL depends on it)."
  value       = google_service_networking_connection.services.id
}
