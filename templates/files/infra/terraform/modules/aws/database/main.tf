# PostgreSQL for the MLflow backend store: private, encrypted, backed up, TLS
# enforced (PostgreSQL 15+ default). The password is generated at apply time
# (an ephemeral random password) and written only to the instance and to a
# Secrets Manager secret, through write-only arguments: it is never in Terraform
# state, plan or outputs. The same apply writes MLflow's backend store URI with
# it into the secret <secret_prefix>-mlflow-backend, which the External Secrets Operator copies
# into the Kubernetes Secret mlflow-backend. It is not rotated behind MLflow's
# back (an RDS-managed password rotates every 7 days on its own); bump
# password_version to rotate it, then restart MLflow once the operator has synced.
# Logs (schema changes, slow queries, connections) go to CloudWatch Logs;
# Performance Insights (free 7-day retention) and enhanced monitoring are on.

terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_security_group" "this" {
  name        = "${var.name}-db"
  description = "PostgreSQL reachable from the cluster only"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "postgres" {
  security_group_id            = aws_security_group.this.id
  referenced_security_group_id = var.client_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "PostgreSQL from the cluster"
}

# Logs statements that change the schema or roles (not data, so no values), every
# statement slower than one second, and connections; TLS stays enforced.
resource "aws_db_parameter_group" "this" {
  name_prefix = "${var.name}-"
  family      = "postgres${var.engine_version}"
  description = "MLflow PostgreSQL: DDL, slow-query and connection logging, TLS only"

  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }

  parameter {
    name  = "log_connections"
    value = "1"
  }

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  # A new major version needs a new family; the instance moves over before the old group goes.
  lifecycle {
    create_before_destroy = true
  }
}

data "aws_partition" "current" {}

# Lets RDS publish OS metrics (enhanced monitoring) to CloudWatch Logs.
resource "aws_iam_role" "monitoring" {
  name = "${var.name}-rds-monitoring"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "monitoring.rds.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  role       = aws_iam_role.monitoring.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

ephemeral "aws_secretsmanager_random_password" "mlflow" {
  password_length     = 32
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "password" {
  #checkov:skip=CKV_AWS_149:encrypted with the AWS managed aws/secretsmanager key; a customer-managed key is a cost and key-policy trade-off this template does not make
  #checkov:skip=CKV2_AWS_57:rotation would change the password behind the Kubernetes Secret MLflow reads; rotate with password_version (README)
  name                    = "${var.name}-password"
  description             = "Password of the MLflow PostgreSQL user (written by Terraform, never in its state)"
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "password" {
  secret_id                = aws_secretsmanager_secret.password.id
  secret_string_wo         = ephemeral.aws_secretsmanager_random_password.mlflow.random_password
  secret_string_wo_version = var.password_version
}

# MLflow's backend store URI (password URL-encoded) and artifact root: the keys
# of the Kubernetes Secret mlflow-backend, written with the password.
resource "aws_secretsmanager_secret" "backend" {
  #checkov:skip=CKV_AWS_149:encrypted with the AWS managed aws/secretsmanager key; a customer-managed key is a cost and key-policy trade-off this template does not make
  #checkov:skip=CKV2_AWS_57:rotation would change the password behind MLflow; rotate with password_version (docs/runbook.md)
  name                    = "${var.secret_prefix}-mlflow-backend"
  description             = "MLflow backend store URI and artifact root, copied into the Kubernetes Secret mlflow-backend (written by Terraform, never in its state)"
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "backend" {
  secret_id = aws_secretsmanager_secret.backend.id
  secret_string_wo = jsonencode({
    "backend-store-uri"     = "postgresql://${aws_db_instance.this.username}:${urlencode(ephemeral.aws_secretsmanager_random_password.mlflow.random_password)}@${aws_db_instance.this.address}:${aws_db_instance.this.port}/${aws_db_instance.this.db_name}"
    "artifacts-destination" = var.artifacts_destination
  })
  secret_string_wo_version = var.password_version
}

resource "aws_db_instance" "this" {
  #checkov:skip=CKV_AWS_354:Performance Insights is encrypted with the AWS managed aws/rds key, like the storage; a customer-managed key is a cost and key-policy trade-off this template does not make
  identifier     = var.name
  engine         = "postgres"
  engine_version = var.engine_version
  instance_class = var.instance_class

  db_name             = "mlflow"
  username            = "mlflow"
  password_wo         = ephemeral.aws_secretsmanager_random_password.mlflow.random_password
  password_wo_version = var.password_version

  allocated_storage     = 20
  max_allocated_storage = 200
  storage_type          = "gp3"
  storage_encrypted     = true

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [aws_security_group.this.id]
  publicly_accessible    = false
  multi_az               = var.multi_az
  parameter_group_name   = aws_db_parameter_group.this.name

  enabled_cloudwatch_logs_exports       = local.log_exports
  performance_insights_enabled          = true
  performance_insights_retention_period = 7
  monitoring_interval                   = 60
  monitoring_role_arn                   = aws_iam_role.monitoring.arn

  iam_database_authentication_enabled = true
  auto_minor_version_upgrade          = true
  backup_retention_period             = var.multi_az ? 14 : 7
  copy_tags_to_snapshot               = true
  deletion_protection                 = var.deletion_protection
  skip_final_snapshot                 = !var.deletion_protection
  final_snapshot_identifier           = "${var.name}-final"

  depends_on = [aws_iam_role_policy_attachment.monitoring, aws_cloudwatch_log_group.exports]
}

locals {
  log_exports = ["postgresql", "upgrade"]
}

# The exported logs' groups, made before the instance so RDS writes into them with
# a retention period (the groups RDS makes itself keep the logs forever).
resource "aws_cloudwatch_log_group" "exports" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts the database logs at rest with service keys; a customer-managed key per log group is a cost and key-policy trade-off this template does not make
  for_each          = toset(local.log_exports)
  name              = "/aws/rds/instance/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
}
