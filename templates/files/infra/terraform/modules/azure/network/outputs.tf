output "node_subnet_id" {
  description = "Subnet of the cluster nodes."
  value       = azurerm_subnet.nodes.id
  # Nodes join the subnet once its security group admits the ingress traffic.
  depends_on = [azurerm_subnet_network_security_group_association.nodes]
}

output "database_subnet_id" {
  description = "Subnet delegated to PostgreSQL Flexible Server."
  value       = azurerm_subnet.database.id
  # The server joins the subnet once its security group is attached.
  depends_on = [azurerm_subnet_network_security_group_association.database]
}

output "database_dns_zone_id" {
  description = "Private DNS zone of the database, linked to the network."
  value       = azurerm_private_dns_zone.database.id
  # The server may only be created once the zone resolves inside the network.
  depends_on = [azurerm_private_dns_zone_virtual_network_link.database]
}
