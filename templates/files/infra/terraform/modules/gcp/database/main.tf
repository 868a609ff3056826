# Cloud SQL for PostgreSQL, the MLflow backend store: private IP only, TLS
# required, backups with point-in-time recovery, connections, DDL and errors
# logged. The password is generated at apply time (ephemeral) and written to
# the user and to Secret Manager through write-only arguments: it is never in
# Terraform state, plan or outputs. The same apply writes MLflow's backend store
# URI with it into the secret <secret_prefix>-mlflow-backend, which the External Secrets
# Operator copies into the Kubernetes Secret mlflow-backend; bump
# password_version to rotate it.

terraform {
  required_providers {
    google = {
      source = "hashicorp/google"
    }
    random = {
      source = "hashicorp/random"
    }
  }
}

resource "google_sql_database_instance" "this" {
  #checkov:skip=CKV_GCP_6:ssl_mode ENCRYPTED_ONLY already refuses unencrypted connections; TRUSTED_CLIENT_CERTIFICATE_REQUIRED would need a client certificate MLflow's private-IP connection does not have
  #checkov:skip=CKV_GCP_79:The PostgreSQL major version is pinned for every cloud in templates/versions/terraform.yml (MLflow runs the same one everywhere); upgrade it there
  name                = var.name
  region              = var.region
  database_version    = var.database_version
  deletion_protection = var.deletion_protection

  settings {
    tier                        = var.tier
    edition                     = "ENTERPRISE"
    availability_type           = var.highly_available ? "REGIONAL" : "ZONAL"
    disk_type                   = "PD_SSD"
    disk_autoresize             = true
    deletion_protection_enabled = var.deletion_protection

    # Connection, lock, checkpoint, error and DDL logging (CIS), and pgAudit for
    # role and DDL changes, all in Cloud Logging.
    database_flags {
      name  = "log_checkpoints"
      value = "on"
    }
    database_flags {
      name  = "log_connections"
      value = "on"
    }
    database_flags {
      name  = "log_disconnections"
      value = "on"
    }
    database_flags {
      name  = "log_duration"
      value = "on"
    }
    database_flags {
      name  = "log_hostname"
      value = "on"
    }
    database_flags {
      name  = "log_lock_waits"
      value = "on"
    }
    database_flags {
      name  = "log_min_error_statement"
      value = "error"
    }
    database_flags {
      name  = "log_statement"
      value = "ddl"
    }
    database_flags {
      name  = "cloudsql.enable_pgaudit"
      value = "on"
    }
    database_flags {
      name  = "pgaudit.log"
      value = "role,ddl"
    }

    ip_configuration {
      ipv4_enabled    = false
      private_network = var.network_id
      ssl_mode        = "ENCRYPTED_ONLY"
    }

    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
      start_time                     = "03:00"
    }

    maintenance_window {
      day  = 7
      hour = 4
    }
  }

  depends_on = [var.private_services_connection]
}

resource "google_sql_database" "mlflow" {
  name     = "mlflow"
  instance = google_sql_database_instance.this.name
}

ephemeral "random_password" "mlflow" {
  length  = 32
  special = false
}

resource "google_sql_user" "mlflow" {
  name                = "mlflow"
  instance            = google_sql_database_instance.this.name
  password_wo         = ephemeral.random_password.mlflow.result
  password_wo_version = var.password_version
}

resource "google_secret_manager_secret" "password" {
  secret_id = "${var.name}-password"

  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "password" {
  secret                 = google_secret_manager_secret.password.id
  secret_data_wo         = ephemeral.random_password.mlflow.result
  secret_data_wo_version = var.password_version
}

# MLflow's backend store URI (password URL-encoded) and artifact root: the keys
# of the Kubernetes Secret mlflow-backend, written with the password.
resource "google_secret_manager_secret" "backend" {
  secret_id = "${var.secret_prefix}-mlflow-backend"

  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "backend" {
  secret = google_secret_manager_secret.backend.id
  secret_data_wo = jsonencode({
    "backend-store-uri"     = "postgresql://${google_sql_user.mlflow.name}:${urlencode(ephemeral.random_password.mlflow.result)}@${google_sql_database_instance.this.private_ip_address}:5432/${google_sql_database.mlflow.name}"
    "artifacts-destination" = var.artifacts_destination
  })
  secret_data_wo_version = var.password_version
}
