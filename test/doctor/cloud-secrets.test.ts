// practice.cloud-secrets: on a cloud, every Secret the pods read is written by
// an ExternalSecret of each overlay from the cloud's secret store, through the
// store of the identity that needs it, from its own environment's remote
// secret, and Terraform creates those remote secrets; the check fails on each
// mistake planted into a fresh repository. The ExternalSecret and SecretStore
// schemas of validator.kubernetes-custom-resources reject a misspelt field.

import { describe, expect, test } from 'vitest';
import { cloudSecretsFor } from '../../src/derive.js';
import { cloudSecretsCheck, remoteName, terraformFindings } from '../../src/doctor/practices/cloud-secrets.js';
import type { CheckResult } from '../../src/doctor/types.js';
import { customResourceCheck } from '../../src/doctor/validators/kubernetes.js';
import { findingMessages, plantedVariants, type PlantedEdit } from '../helpers/planted.js';

const combos = {
  'aws-github': { cloud: 'aws', ci: 'github' },
  'gcp-gitlab': { cloud: 'gcp', ci: 'gitlab' },
  'azure-github': { cloud: 'azure', ci: 'github' },
  'local-github': { cloud: 'local', ci: 'github' },
} as const;
type Combo = keyof typeof combos;
const runPlanted = plantedVariants(cloudSecretsCheck, combos);
const runSchema = plantedVariants(customResourceCheck, { aws: { cloud: 'aws', ci: 'github' } });
const messages = findingMessages;
/** The findings on the manifests (the planted mistakes), apart from the Terraform rule's. */
const manifestFindings = (result: CheckResult) => result.findings.filter((finding) => finding.file.startsWith('deploy/'));
/** The remote names after `svc-<environment>-` (the plan's, as Terraform writes them). */
const remotes = cloudSecretsFor({ name: 'svc', cloud: 'aws', region: 'us-east-1' }).secrets.map(remoteName);

const stores = 'deploy/k8s/components/cloud-secrets/secret-stores.yaml';
const externalSecrets = (environment: 'staging' | 'prod') => `deploy/k8s/overlays/${environment}/external-secrets.yaml`;
/** The whole document of ExternalSecret `name` (up to the next document). */
const externalSecretDoc = (name: string) => new RegExp(`---\\napiVersion: external-secrets\\.io/v1\\nkind: ExternalSecret\\nmetadata:\\n  name: ${name}\\n[\\s\\S]*?(?=---\\n|$)`);

describe('practice.cloud-secrets', () => {
  test.each(['aws-github', 'gcp-gitlab', 'azure-github'] as Combo[])('passes on a fresh repository (%s)', async (combo) => {
    const result = await runPlanted(combo);
    expect(result.findings).toEqual([]);
    expect(result.status).toBe('passed');
  });

  test('does not apply on --cloud local', async () => {
    const result = await runPlanted('local-github');
    expect(result.status).toBe('skipped');
    expect(result.reason).toMatch(/cloud local/);
  });

  test('a prod overlay without the ExternalSecret of mlflow-users fails', async () => {
    const result = await runPlanted('aws-github', [externalSecrets('prod'), externalSecretDoc('mlflow-users'), '']);
    expect(messages(result)).toMatch(/No ExternalSecret of deploy\/k8s\/overlays\/prod writes the Secret mlflow-users \(read by [^)]*Deployment mlflow/);
    expect(messages(result)).not.toMatch(/overlays\/staging writes the Secret mlflow-users/);
    expect(result.findings.find((finding) => finding.message.includes('mlflow-users'))!.file).toBe(externalSecrets('prod'));
  });

  test('an overlay without the cloud-secrets component fails', async () => {
    const result = await runPlanted('gcp-gitlab', ['deploy/k8s/overlays/prod/kustomization.yaml', '  - ../../components/cloud-secrets\n', '']);
    expect(messages(result)).toMatch(/deploy\/k8s\/overlays\/prod does not include deploy\/k8s\/components\/cloud-secrets/);
    expect(messages(result)).toMatch(/ExternalSecret mlflow-backend \(deploy\/k8s\/overlays\/prod\) names SecretStore "mlflow-secrets", which is not defined in deploy\/k8s\/components\/cloud-secrets/);
  });

  test('the API keys read through the MLflow store fail (least privilege)', async () => {
    const result = await runPlanted('azure-github', [externalSecrets('staging'), 'name: svc-secrets', 'name: mlflow-secrets']);
    expect(messages(result)).toMatch(/ExternalSecret svc-api-keys \(deploy\/k8s\/overlays\/staging\) reads svc-api-keys through store "mlflow-secrets", but svc-api-keys belongs to store svc-secrets \(service account svc\): least privilege/);
    expect(manifestFindings(result)).toHaveLength(1);
    expect(manifestFindings(result)[0]!.line).toBeGreaterThan(1);
  });

  test("the staging overlay reading prod's remote secret fails", async () => {
    const result = await runPlanted('aws-github', [externalSecrets('staging'), 'key: svc-staging-mlflow-auth', 'key: svc-prod-mlflow-auth']);
    expect(messages(result)).toMatch(/ExternalSecret mlflow-auth \(deploy\/k8s\/overlays\/staging\) reads remote secret "svc-prod-mlflow-auth", prod's, from the staging environment/);
    expect(manifestFindings(result)[0]).toMatchObject({ file: externalSecrets('staging'), line: expect.any(Number) });
  });

  test('an ExternalSecret that leaves out a key its consumer reads fails', async () => {
    const result = await runPlanted('gcp-gitlab', [externalSecrets('prod'), /\n {4}- secretKey: artifacts-destination\n(?: {6}.*\n)+/, '\n']);
    expect(messages(result)).toMatch(/ExternalSecret mlflow-backend \(deploy\/k8s\/overlays\/prod\) does not provide key artifacts-destination of Secret mlflow-backend, read by Deployment mlflow/);
  });

  test('a SecretStore with static credentials fails', async () => {
    const staticKeys = 'secretRef:\n          accessKeyIDSecretRef:\n            name: aws-keys\n            key: id\n          secretAccessKeySecretRef:\n            name: aws-keys\n            key: secret';
    const result = await runPlanted('aws-github', [stores, /jwt:\n {10}serviceAccountRef:\n {12}name: mlflow/, staticKeys]);
    expect(messages(result)).toMatch(/SecretStore mlflow-secrets signs in with static credentials \(spec\.provider\.aws\.auth\.secretRef\)/);
    expect(manifestFindings(result)[0]).toMatchObject({ file: stores, line: expect.any(Number) });
  });

  test('an Azure store without workload identity fails', async () => {
    const result = await runPlanted('azure-github', [stores, 'authType: WorkloadIdentity', 'authType: ManagedIdentity']);
    expect(messages(result)).toMatch(/SecretStore mlflow-secrets has authType "ManagedIdentity": it does not sign in with the Entra workload identity/);
  });

  test('a GCP store signed in as the wrong service account fails', async () => {
    const result = await runPlanted('gcp-gitlab', [stores, /(serviceAccountRef:\n\s+name: )svc\n/, '$1mlflow\n']);
    expect(messages(result)).toMatch(/SecretStore svc-secrets signs in as service account "mlflow", but it is the store of the svc service account's Secrets/);
    expect(manifestFindings(result)).toHaveLength(1);
  });

  test('a store with the wrong provider for the cloud fails', async () => {
    const result = await runPlanted('gcp-gitlab', [stores, 'gcpsm:', 'vault:']);
    expect(messages(result)).toMatch(/SecretStore mlflow-secrets reads from provider vault, but on --cloud gcp Terraform writes the secrets to Google Secret Manager \(provider gcpsm\)/);
  });

  test('a Secret mlflow-auth committed in the base fails', async () => {
    const secret = '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: mlflow-auth\nstringData:\n  admin-password: hunter2\n';
    const result = await runPlanted('aws-github', ['deploy/k8s/base/configmap.yaml', /$/, secret]);
    expect(messages(result)).toMatch(/Secret mlflow-auth is committed in deploy\/k8s\/base\/configmap\.yaml: credentials in git/);
    expect(manifestFindings(result)[0]).toMatchObject({ file: 'deploy/k8s/base/configmap.yaml', line: expect.any(Number) });
  });

  test('Terraform that writes the four remote secrets passes, named in a module or by for_each', async () => {
    const aws: PlantedEdit = [
      'infra/terraform/main.tf',
      /$/,
      remotes.map((name, index) => `\nresource "aws_secretsmanager_secret" "remote_${index}" {\n  name = "\${local.prefix}-${name}"\n}\n`).join(''),
    ];
    expect((await runPlanted('aws-github', aws)).findings).toEqual([]);
    const gcp: PlantedEdit = [
      'infra/terraform/main.tf',
      /$/,
      `\nresource "google_secret_manager_secret" "cluster" {\n  for_each  = toset([${remotes.map((name) => `"${name}"`).join(', ')}])\n  secret_id = "\${local.prefix}-\${each.key}"\n  replication {\n    auto {}\n  }\n}\n`,
    ];
    expect((await runPlanted('gcp-gitlab', gcp)).findings).toEqual([]);
  });
});

describe('practice.cloud-secrets: the remote secrets in Terraform (loose, grep level)', () => {
  const plan = cloudSecretsFor({ name: 'svc', cloud: 'azure', region: 'eastus' });
  const repoWith = (files: Record<string, string>) => ({ files: Object.keys(files), read: async (path: string) => files[path]! });

  test('accepts a module that receives the prefix, and names each missing secret', async () => {
    const keysOf = (index: number) => plan.secrets[index]!.keys.map((key) => `"${key}" = "x"`).join(', ');
    const module = remotes.map((name, index) => ({ name, index })).filter(({ name }) => name !== 'mlflow-users').map(({ name, index }) => `resource "azurerm_key_vault_secret" "remote_${index}" {\n  name         = "\${var.name_prefix}-${name}"\n  key_vault_id = var.key_vault_id\n  value        = jsonencode({ ${keysOf(index)} })\n}\n`).join('\n');
    const findings = await terraformFindings(repoWith({ 'infra/terraform/main.tf': 'locals {\n  prefix = "${var.name}-${var.environment}"\n}\n', 'infra/terraform/modules/azure/secrets/main.tf': module }), plan, 'azure', 'svc');
    expect(findings.map((finding) => finding.message)).toEqual([expect.stringMatching(/^No azurerm_key_vault_secret under infra\/terraform has a name ending in "-mlflow-users"/)]);
    expect(findings[0]).toMatchObject({ file: 'infra/terraform/main.tf', line: 2 });
  });

  test('a remote secret whose JSON lacks a key the ExternalSecret reads is named', async () => {
    const module = remotes.map((name, index) => `resource "azurerm_key_vault_secret" "remote_${index}" {\n  name  = "\${var.name_prefix}-${name}"\n  value = jsonencode({ ${plan.secrets[index]!.keys.filter((key) => key !== 'flask-secret-key').map((key) => `"${key}" = "x"`).join(', ')} })\n}\n`).join('\n');
    const findings = await terraformFindings(repoWith({ 'infra/terraform/main.tf': module }), plan, 'azure', 'svc');
    expect(findings.map((finding) => finding.message)).toEqual([expect.stringMatching(/^The Terraform never writes the key "flask-secret-key" of svc-<environment>-mlflow-auth, which the ExternalSecret mlflow-auth reads/)]);
  });

  test("another cloud's resource type does not count", async () => {
    const aws = remotes.map((name) => `resource "aws_secretsmanager_secret" "x" {\n  name = "\${local.prefix}-${name}"\n}\n`).join('\n');
    expect(await terraformFindings(repoWith({ 'infra/terraform/main.tf': aws }), plan, 'azure', 'svc')).toHaveLength(4);
  });
});

describe('validator.kubernetes-custom-resources: ExternalSecret and SecretStore schemas', () => {
  test('a fresh repository passes', async () => {
    const result = await runSchema('aws');
    expect(result.findings).toEqual([]);
    expect(result.status).toBe('passed');
  });

  test('a misspelt secretStoreRef.name and serviceAccountRef are rejected', async () => {
    const result = await runSchema('aws', [externalSecrets('staging'), /secretStoreRef:\n(\s+)kind: SecretStore\n(\s+)name:/, 'secretStoreRef:\n$1kind: SecretStore\n$2nam:'], [stores, 'serviceAccountRef:', 'serviceAcountRef:']);
    expect(result.status).toBe('failed');
    expect(messages(result)).toMatch(/ExternalSecret\/mlflow-backend \(built from deploy\/k8s\/overlays\/staging\): spec\.secretStoreRef: must NOT have additional properties \(nam\)/);
    expect(messages(result)).toMatch(/ExternalSecret\/mlflow-backend .*spec\.secretStoreRef: must have required property 'name'/);
    expect(messages(result)).toMatch(/SecretStore\/mlflow-secrets .*spec\.provider\.aws\.auth\.jwt: must NOT have additional properties \(serviceAcountRef\)/);
    expect(result.findings.find((finding) => finding.message.includes('(nam)'))!.file).toMatch(/^deploy\/k8s\/overlays\/(staging|prod)\/external-secrets\.yaml$/);
  });

  test('an unknown creationPolicy and a malformed refreshInterval are rejected', async () => {
    const result = await runSchema('aws', [externalSecrets('prod'), 'creationPolicy: Owner', 'creationPolicy: Owned'], [externalSecrets('prod'), 'refreshInterval: 1h', 'refreshInterval: hourly']);
    expect(messages(result)).toMatch(/spec\.target\.creationPolicy: must be equal to one of the allowed values/);
    expect(messages(result)).toMatch(/spec\.refreshInterval: must match pattern/);
  });
});
