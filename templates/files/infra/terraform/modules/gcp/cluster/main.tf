# Regional GKE Standard with private nodes, Workload Identity, Dataplane V2
# (network policies enforced), shielded nodes, Binary Authorization and a
# least-privilege node identity.

terraform {
  required_providers {
    google = {
      source = "hashicorp/google"
    }
  }
}

resource "google_service_account" "nodes" {
  account_id   = "${var.name}-nodes"
  display_name = "GKE nodes of ${var.name}"
}

resource "google_project_iam_member" "nodes" {
  for_each = toset([
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
  ])

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.nodes.email}"
}

# Binary Authorization evaluates the project policy on every pod admission.
resource "google_project_service" "binary_authorization" {
  service            = "binaryauthorization.googleapis.com"
  disable_on_destroy = false
}

resource "google_container_cluster" "this" {
  #checkov:skip=CKV_GCP_21:Labels come from the google provider's default_labels (project, environment, managed-by), which checkov does not read
  #checkov:skip=CKV_GCP_65:Google Groups for RBAC needs a Workspace or Cloud Identity group gke-security-groups@<domain> the template cannot assume; access is IAM plus namespace RoleBindings
  #checkov:skip=CKV_GCP_69:The default node pool is removed at creation; the general and gpu node pools set workload_metadata_config GKE_METADATA
  name     = var.name
  location = var.region

  min_master_version  = var.kubernetes_version
  deletion_protection = var.deletion_protection

  # Node pools are managed below, so they can change without recreating the cluster.
  remove_default_node_pool = true
  initial_node_count       = 1

  network           = var.network_id
  subnetwork        = var.subnetwork_id
  networking_mode   = "VPC_NATIVE"
  datapath_provider = "ADVANCED_DATAPATH"

  # Dataplane V2 enforces NetworkPolicy itself; this block is for Calico and stays off.
  network_policy {
    enabled = false
  }

  # Pod-to-pod traffic on one node goes through the VPC too (and its flow logs).
  enable_intranode_visibility = true

  ip_allocation_policy {
    cluster_secondary_range_name  = "pods"
    services_secondary_range_name = "services"
  }

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false
    master_ipv4_cidr_block  = var.master_cidr
  }

  master_authorized_networks_config {
    dynamic "cidr_blocks" {
      for_each = var.public_access_cidrs
      content {
        cidr_block = cidr_blocks.value
      }
    }
  }

  workload_identity_config {
    workload_pool = "${var.project_id}.svc.id.goog"
  }

  release_channel {
    channel = "REGULAR"
  }

  enable_shielded_nodes = true

  # Only Google-signed credentials (IAM, Workload Identity) reach the API, no client certificates.
  master_auth {
    client_certificate_config {
      issue_client_certificate = false
    }
  }

  # Enforces the project's Binary Authorization policy (allows all images until
  # you tighten it; README).
  binary_authorization {
    evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE"
  }

  depends_on = [google_project_service.binary_authorization]
}

resource "google_container_node_pool" "general" {
  name     = "general"
  cluster  = google_container_cluster.this.id
  location = var.region

  autoscaling {
    total_min_node_count = var.node_count_min
    total_max_node_count = var.node_count_max
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  node_config {
    machine_type    = var.node_machine_type
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    labels = {
      pool = "general"
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }
  }
}

# GKE taints GPU nodes with nvidia.com/gpu=present:NoSchedule itself and installs the driver.
resource "google_container_node_pool" "gpu" {
  count = var.gpu_node_pool ? 1 : 0

  name     = "gpu"
  cluster  = google_container_cluster.this.id
  location = var.region

  autoscaling {
    total_min_node_count = 0
    total_max_node_count = var.gpu_count_max
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  node_config {
    machine_type    = var.gpu_machine_type
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    labels = {
      pool = "gpu"
    }

    guest_accelerator {
      type  = var.gpu_accelerator_type
      count = 1

      gpu_driver_installation_config {
        gpu_driver_version = "LATEST"
      }
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }
  }
}
