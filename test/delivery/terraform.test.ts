// Generated Terraform, checked with the real tools: `terraform fmt`, an HCL
// parse of every file, and `terraform init` + `validate` for AWS against the
// offline provider mirror. Structure is asserted on the parsed HCL.

import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { deriveContext, type RenderContext } from '../../src/derive.js';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import type { Check, CheckResult, RepoView } from '../../src/doctor/types.js';
import {
  terraformFmtCheck,
  terraformParseCheck,
  terraformValidateCheck,
} from '../../src/doctor/validators/terraform.js';
import type { Answers } from '../../src/questions/table.js';
import { createRenderer } from '../../src/render/renderer.js';
import { generateRepo, templates } from '../helpers/generate.js';
import { offlineMirror as pluginDir, useOfflineTerraformMirror, writeMirrorConfig } from '../doctor/terraform-config.js';

// doctor installs providers as Terraform is configured: here, a CLI configuration with the offline mirror.
const hasMirror = useOfflineTerraformMirror().includes('registry.terraform.io/hashicorp/aws');
const hasTerraform = await execa('terraform', ['version'], { reject: false, env: { CHECKPOINT_DISABLE: '1' } }).then(
  (result) => result.exitCode === 0,
  () => false,
);
if (!hasTerraform) console.warn('skip: terraform not available; fmt and validate checks must report "skipped"');
else if (!hasMirror) console.warn(`skip: provider mirror ${pluginDir} not available; AWS validate must report "skipped"`);

const root = 'infra/terraform';
const bootstrap = `${root}/bootstrap`;

type Hcl = Record<string, any>;

async function runCheck(check: Check, repo: RepoView): Promise<Omit<CheckResult, 'id' | 'title' | 'group'>> {
  expect(check.applies(repo)).toBe(true);
  return check.run(repo);
}

async function parseAll(repo: RepoView): Promise<Map<string, Hcl>> {
  const parsed = new Map<string, Hcl>();
  for (const file of repo.files.filter((path) => /\.(tf|tfvars|tfbackend)$/.test(path))) {
    parsed.set(file, (await parseHcl(file, await repo.read(file))) as Hcl);
  }
  return parsed;
}

/** Every `resource "<type>" "<name>"` body under a directory. */
function resources(hcl: Map<string, Hcl>, type: string, under = root): Hcl[] {
  return [...hcl.entries()]
    .filter(([file]) => file.startsWith(`${under}/`))
    .flatMap(([, json]) => Object.values((json.resource?.[type] ?? {}) as Record<string, Hcl[]>).flat());
}

function block(hcl: Map<string, Hcl>, file: string, kind: string, name: string): Hcl {
  const found = hcl.get(file)?.[kind]?.[name]?.[0];
  if (!found) throw new Error(`${file} has no ${kind} "${name}"`);
  return found as Hcl;
}

function variables(hcl: Map<string, Hcl>, dir: string): Record<string, Hcl> {
  const out: Record<string, Hcl> = {};
  for (const [file, json] of hcl) {
    if (file.startsWith(`${dir}/`) && !file.slice(dir.length + 1).includes('/')) {
      for (const [name, bodies] of Object.entries((json.variable ?? {}) as Record<string, Hcl[]>)) out[name] = bodies[0]!;
    }
  }
  return out;
}

function outputs(hcl: Map<string, Hcl>, file: string): Record<string, Hcl> {
  return Object.fromEntries(Object.entries((hcl.get(file)?.output ?? {}) as Record<string, Hcl[]>).map(([name, bodies]) => [name, bodies[0]!]));
}

function only<T>(items: T[], what: string): T {
  expect(items, what).toHaveLength(1);
  return items[0]!;
}

/** The newest x.y a `~> x.y` constraint admits is any later minor of the same major. */
function admits(constraint: string, version: string): boolean {
  const match = /^~>\s*(\d+)\.(\d+)$/.exec(constraint);
  if (!match) throw new Error(`unexpected constraint ${constraint}`);
  const [major, minor] = version.split('.').map(Number) as [number, number];
  return major === Number(match[1]) && minor >= Number(match[2]);
}

/**
 * What `terraform validate` checks without provider schemas, for google and
 * azurerm (no offline mirror): module arguments match the module's variables,
 * and every var., local., module., resource and data reference is declared.
 */
async function wiringProblems(repo: RepoView, hcl: Map<string, Hcl>): Promise<string[]> {
  const problems: string[] = [];
  const dirs = [...new Set([...hcl.keys()].filter((file) => file.endsWith('.tf')).map((file) => file.slice(0, file.lastIndexOf('/'))))];
  const inDir = (dir: string) => [...hcl.entries()].filter(([file]) => file.endsWith('.tf') && file.slice(0, file.lastIndexOf('/')) === dir);
  const names = (dir: string, kind: string) => new Set(inDir(dir).flatMap(([, json]) => Object.keys(json[kind] ?? {})));
  const typed = (dir: string, kind: string) =>
    new Set(inDir(dir).flatMap(([, json]) => Object.entries((json[kind] ?? {}) as Record<string, Hcl>).flatMap(([type, named]) => Object.keys(named).map((name) => `${type}.${name}`))));
  const localNames = (dir: string) => new Set(inDir(dir).flatMap(([, json]) => ((json.locals ?? []) as Hcl[]).flatMap((locals) => Object.keys(locals))));
  for (const dir of dirs) {
    const declared = { var: names(dir, 'variable'), local: localNames(dir), module: names(dir, 'module'), resource: typed(dir, 'resource'), data: typed(dir, 'data') };
    for (const [file, json] of inDir(dir)) {
      const text = (await repo.read(file)).replace(/^\s*(#|\/\/).*$/gm, '');
      for (const [, name] of text.matchAll(/\bvar\.([a-z_][a-z0-9_]*)/g)) if (!declared.var.has(name!)) problems.push(`${file}: var.${name} is not declared`);
      for (const [, name] of text.matchAll(/\blocal\.([a-z_][a-z0-9_]*)/g)) if (!declared.local.has(name!)) problems.push(`${file}: local.${name} is not declared`);
      for (const [, data, address] of text.matchAll(/(?<![\w.])(data\.)?((?:aws|google|azurerm|random)_[a-z0-9_]+\.[a-z_][a-z0-9_]*)/g)) {
        if (!(data ? declared.data : declared.resource).has(address!)) problems.push(`${file}: ${data ?? ''}${address} is not declared`);
      }
      for (const [, name, output] of text.matchAll(/\bmodule\.([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)/g)) {
        const call = inDir(dir).map(([, other]) => other.module?.[name!]?.[0]).find(Boolean) as Hcl | undefined;
        if (!call) {
          problems.push(`${file}: module.${name} is not declared`);
          continue;
        }
        const target = posixJoin(dir, call.source as string);
        if (!names(target, 'output').has(output!)) problems.push(`${file}: module.${name} (${target}) has no output ${output}`);
      }
      for (const [name, bodies] of Object.entries((json.module ?? {}) as Record<string, Hcl[]>)) {
        const call = bodies[0]!;
        const target = posixJoin(dir, call.source as string);
        const variables = inDir(target).flatMap(([, other]) => Object.entries((other.variable ?? {}) as Record<string, Hcl[]>));
        if (variables.length === 0) problems.push(`${file}: module ${name} points at ${target}, which has no variables`);
        const accepted = new Set(variables.map(([variable]) => variable));
        const meta = new Set(['source', 'depends_on', 'providers', 'count', 'for_each', 'version']);
        for (const argument of Object.keys(call)) if (!meta.has(argument) && !accepted.has(argument)) problems.push(`${file}: module ${name} passes ${argument}, which ${target} does not declare`);
        for (const [variable, body] of variables) if (!('default' in body[0]!) && !(variable in call)) problems.push(`${file}: module ${name} does not set the required ${variable}`);
      }
    }
  }
  return problems;
}

function posixJoin(dir: string, relativePath: string): string {
  const parts = dir.split('/');
  for (const part of relativePath.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.' && part !== '') parts.push(part);
  }
  return parts.join('/');
}

type Cloud = 'aws' | 'gcp' | 'azure';
const matrix: Array<Pick<Answers, 'ci' | 'gpu' | 'dvc'> & { cloud: Cloud }> = [];
for (const cloud of ['aws', 'gcp', 'azure'] as const)
  for (const ci of ['github', 'gitlab'] as const)
    for (const gpu of [false, true])
      // DVC adds a bucket and CI read access: alternate it so each cloud has both.
      matrix.push({ cloud, ci, gpu, dvc: (ci === 'gitlab') !== gpu });

describe.each(matrix)('Terraform for cloud $cloud, CI $ci, gpu $gpu, dvc $dvc', (answers) => {
  let repo: RepoView;
  let hcl: Map<string, Hcl>;
  let context: RenderContext;

  beforeAll(async () => {
    const { dir, plan } = await generateRepo({ ...answers, name: 'churn-model' });
    repo = await loadRepoView(dir);
    hcl = await parseAll(repo);
    context = deriveContext(plan.answers, (await templates()).versions, '0.0.0-test');
  });

  it('is formatted as `terraform fmt` writes it', async () => {
    const result = await runCheck(terraformFmtCheck, repo);
    if (!hasTerraform) return expect(result).toMatchObject({ status: 'skipped', reason: 'terraform not available' });
    expect(result.findings).toEqual([]);
    expect(result.status).toBe('passed');
  });

  it('parses, every .tf, .tfvars and .tfbackend file', async () => {
    const result = await runCheck(terraformParseCheck, repo);
    expect(result.findings).toEqual([]);
    expect(result.status).toBe('passed');
    expect(repo.files).toEqual(expect.arrayContaining([`${root}/main.tf`, `${bootstrap}/main.tf`, `${root}/environments/prod.tfvars`]));
  });

  it(answers.cloud === 'aws' ? 'validates every root (terraform init + validate)' : 'reports validate as skipped with the reason', async () => {
    const result = await runCheck(terraformValidateCheck, repo);
    if (!hasTerraform) return expect(result).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^terraform not available/) });
    if (answers.cloud !== 'aws' || !hasMirror) {
      // Offline, without a mirror holding the provider: skipped, saying which provider and why.
      if (result.status === 'passed') return expect(result.findings).toEqual([]);
      expect(result.status).toBe('skipped');
      expect(result.reason).toMatch(new RegExp(`^terraform init could not install hashicorp/[a-z0-9-]+ for ${root}: .+; providers are installed as your Terraform is configured .*; ${answers.cloud} was format-checked, parsed and checked against its provider schema \\(validator\\.terraform-schema\\)$`));
      return;
    }
    expect(result.findings).toEqual([]);
    expect(result.status).toBe('passed');
    expect(result.reason).toBe(`2 roots validated: ${root}, ${bootstrap}`);
  });

  it('wires modules, variables and references consistently (validate without provider schemas)', async () => {
    expect(await wiringProblems(repo, hcl)).toEqual([]);
  });

  it('pins Terraform and provider versions in both roots', async () => {
    const pins = context.versions.terraform as { terraform: string; providers: Record<string, string> };
    const provider = { aws: 'aws', gcp: 'google', azure: 'azurerm' }[answers.cloud];
    expect(admits(pins.providers.aws!, '5.100')).toBe(true);
    for (const dir of [root, bootstrap]) {
      const terraform = hcl.get(`${dir}/versions.tf`)!.terraform[0];
      expect(terraform.required_version).toBe(pins.terraform);
      expect(terraform.required_providers[0][provider!]).toEqual({ source: `hashicorp/${provider}`, version: pins.providers[provider!] });
    }
    const backend = hcl.get(`${root}/versions.tf`)!.terraform[0].backend;
    const kind = { aws: 's3', gcp: 'gcs', azure: 'azurerm' }[answers.cloud];
    expect(Object.keys(backend)).toEqual([kind]);
    if (answers.cloud === 'aws') expect(backend.s3[0]).toEqual({ encrypt: true, use_lockfile: true });
    for (const env of ['staging', 'prod']) {
      const settings = hcl.get(`${root}/environments/${env}.tfbackend`)!;
      const key = answers.cloud === 'gcp' ? settings.prefix : settings.key;
      expect(key).toContain(`churn-model/${env}`);
    }
  });

  it('creates an immutable, scanned registry named after the image in the bootstrap', async () => {
    expect(variables(hcl, bootstrap).name!.default).toBe(context.imageName);
    const registry = block(hcl, `${bootstrap}/main.tf`, 'module', 'registry');
    if (answers.cloud === 'aws') {
      const repository = only(resources(hcl, 'aws_ecr_repository'), 'one ECR repository');
      expect(repository.image_tag_mutability).toBe('IMMUTABLE');
      expect(repository.image_scanning_configuration).toEqual([{ scan_on_push: true }]);
      expect(registry.name).toBe('${var.name}');
      expect(context.registry.host).toBe(`\${AWS_ACCOUNT_ID}.dkr.ecr.${answers.cloud === 'aws' ? context.region : ''}.amazonaws.com`);
      expect(context.registry.path).toBe(context.imageName);
    }
    if (answers.cloud === 'gcp') {
      const repository = only(resources(hcl, 'google_artifact_registry_repository'), 'one Artifact Registry repository');
      expect(repository.docker_config).toEqual([{ immutable_tags: true }]);
      expect(repository.repository_id).toBe('${var.name}');
      expect(resources(hcl, 'google_project_service').map((service) => service.service)).toContain('containerscanning.googleapis.com');
      // The output CI pushes to is the derived image reference, with the project as a CI variable.
      const url = outputs(hcl, `${root}/outputs.tf`).registry_url!.value as string;
      const rendered = url
        .replace('${var.region}', context.region!)
        .replace('${local.registry_project}', '${GCP_PROJECT_ID}')
        .replace('${data.google_artifact_registry_repository.service.repository_id}', context.imageName)
        .replace('${var.name}', context.imageName);
      expect(rendered).toBe(context.registry.image);
    }
    if (answers.cloud === 'azure') {
      const acr = only(resources(hcl, 'azurerm_container_registry'), 'one container registry');
      expect(acr.admin_enabled).toBe(false);
      expect(acr.anonymous_pull_enabled).toBe(false);
      // The name is global: a hash of the subscription, which CI reads back as AZURE_ACR_NAME.
      expect(registry.name).toBe(`${context.cloudNames.acrStem}\${substr(sha256(var.subscription_id), 0, 8)}`);
      expect(context.registry.host).toBe('${AZURE_ACR_NAME}.azurecr.io');
      expect(context.registry.variables).toEqual(['AZURE_ACR_NAME']);
      expect(outputs(hcl, `${bootstrap}/outputs.tf`).registry_name!.value).toBe('${module.registry.name}');
      // The environments find the same registry by the same expression.
      const locals = hcl.get(`${root}/main.tf`)!.locals.find((l: Hcl) => 'registry_name' in l);
      expect(locals.registry_name).toBe(registry.name);
      expect(hcl.get(`${root}/main.tf`)!.data.azurerm_container_registry.service[0].name).toBe('${local.registry_name}');
      expect(resources(hcl, 'azurerm_security_center_subscription_pricing')[0]).toMatchObject({ resource_type: 'Containers', tier: 'Standard' });
    }
  });

  it('keeps object storage encrypted, versioned and private', async () => {
    if (answers.cloud === 'aws') {
      // The storage module's bucket (state, artifacts, data); modules/aws/access-logs is the log bucket, checked below.
      const storage = `${root}/modules/aws/storage`;
      expect(only(resources(hcl, 'aws_s3_bucket_versioning', storage), 'versioning').versioning_configuration).toEqual([{ status: 'Enabled' }]);
      const encryption = only(resources(hcl, 'aws_s3_bucket_server_side_encryption_configuration', storage), 'encryption');
      expect(encryption.rule[0].apply_server_side_encryption_by_default).toEqual([{ sse_algorithm: 'aws:kms' }]);
      expect(only(resources(hcl, 'aws_s3_bucket_public_access_block', storage), 'public access block')).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      expect(only(resources(hcl, 'aws_s3_bucket_policy', storage), 'bucket policy').policy).toContain('"aws:SecureTransport" = "false"');
      const logs = `${root}/modules/aws/access-logs`;
      expect(only(resources(hcl, 'aws_s3_bucket_public_access_block', logs), 'access-log bucket public access block')).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
      expect(only(resources(hcl, 'aws_s3_bucket_logging', storage), 'access logging').target_bucket).toBeDefined();
      expect(block(hcl, `${root}/main.tf`, 'module', 'mlflow_artifacts').bucket_name).toBe('churn-model-${var.environment}-mlflow-${local.account_id}');
    }
    if (answers.cloud === 'gcp') {
      expect(only(resources(hcl, 'google_storage_bucket'), 'bucket module')).toMatchObject({
        uniform_bucket_level_access: true,
        public_access_prevention: 'enforced',
        versioning: [{ enabled: true }],
      });
    }
    if (answers.cloud === 'azure') {
      expect(only(resources(hcl, 'azurerm_storage_account'), 'storage module')).toMatchObject({
        min_tls_version: 'TLS1_2',
        https_traffic_only_enabled: true,
        allow_nested_items_to_be_public: false,
        shared_access_key_enabled: false,
        infrastructure_encryption_enabled: true,
      });
      expect(only(resources(hcl, 'azurerm_storage_account'), 'storage module').blob_properties[0].versioning_enabled).toBe(true);
      expect(only(resources(hcl, 'azurerm_storage_container'), 'containers').container_access_type).toBe('private');
    }
    const storageModules = Object.keys(hcl.get(`${root}/main.tf`)!.module);
    if (answers.cloud !== 'azure') expect(storageModules.includes('dvc_data')).toBe(answers.dvc);
    else expect(block(hcl, `${root}/main.tf`, 'module', 'ml_storage').containers).toEqual(answers.dvc ? ['mlflow', 'dvc'] : ['mlflow']);
  });

  it('takes the uniqueness of global names from the account, project or subscription, not the project name alone', async () => {
    const main = `${root}/main.tf`;
    const boot = `${bootstrap}/main.tf`;
    if (answers.cloud === 'aws') {
      expect(block(hcl, main, 'module', 'mlflow_artifacts').bucket_name).toMatch(/\$\{local\.account_id\}$/);
      expect(hcl.get(main)!.locals.find((l: Hcl) => 'account_id' in l).account_id).toBe('${data.aws_caller_identity.current.account_id}');
      expect(block(hcl, boot, 'module', 'state').bucket_name).toBe('${var.name}-tfstate-${data.aws_caller_identity.current.account_id}');
      if (answers.dvc) expect(block(hcl, main, 'module', 'dvc_data').bucket_name).toBe('churn-model-${var.environment}-dvc-${local.account_id}');
    }
    if (answers.cloud === 'gcp') {
      expect(block(hcl, main, 'module', 'mlflow_artifacts').bucket_name).toBe('churn-model-${var.environment}-mlflow-${local.project_hash}');
      expect(hcl.get(main)!.locals.find((l: Hcl) => 'project_hash' in l).project_hash).toBe('${substr(sha256(var.project_id), 0, 8)}');
      expect(block(hcl, boot, 'module', 'state').bucket_name).toBe('${var.project_id}-churn-model-tfstate');
      if (answers.dvc) expect(block(hcl, main, 'module', 'dvc_data').bucket_name).toBe('churn-model-${var.environment}-dvc-${local.project_hash}');
    }
    if (answers.cloud === 'azure') {
      const locals = hcl.get(main)!.locals.find((l: Hcl) => 'subscription_hash' in l);
      expect(locals.subscription_hash).toBe('${substr(sha256(var.subscription_id), 0, 6)}');
      expect(locals.compact_name).toBe(context.cloudNames.azureCompact);
      expect(block(hcl, main, 'module', 'ml_storage').account_name).toBe('${local.compact_name}${local.env_short}${local.subscription_hash}');
      expect(block(hcl, main, 'module', 'database').key_vault_name).toBe('${local.compact_name}-${local.env_short}-${local.subscription_hash}');
      // PostgreSQL Flexible Server names are global too (the server's host name).
      expect(block(hcl, main, 'module', 'database').name).toBe('${local.prefix}-mlflow-${local.subscription_hash}');
      expect(block(hcl, boot, 'module', 'state').account_name).toBe(`${context.cloudNames.azureCompact}tfst\${substr(sha256(var.subscription_id), 0, 8)}`);
    }
  });

  it('federates CI through OIDC, trusting one repository and environment', async () => {
    const repository = variables(hcl, root).ci_repository!;
    expect(repository).not.toHaveProperty('default');
    expect(repository.validation).toBeDefined();
    const ci = block(hcl, `${root}/main.tf`, 'module', 'ci_identity');
    const github = answers.ci === 'github';
    const subject = github
      ? 'repo:${var.ci_repository}:environment:${var.environment}'
      : 'project_path:${var.ci_repository}:ref_type:branch:ref:${var.ci_ref}';
    expect(ci.subject ?? ci.oidc_subject).toBe(subject);
    if (!github) expect(variables(hcl, root).ci_ref!.default).toBe('main');
    if (answers.cloud === 'aws') {
      expect(ci.oidc_issuer).toBe(github ? 'token.actions.githubusercontent.com' : 'gitlab.com');
      const trust = only(resources(hcl, 'aws_iam_role', `${root}/modules/aws/ci-identity`), 'CI role').assume_role_policy as string;
      expect(trust).toContain('"${var.oidc_issuer}:sub" = var.oidc_subject');
      expect(trust).toContain('"${var.oidc_issuer}:aud" = var.oidc_audience');
      expect(trust).toContain('StringEquals');
      expect(trust).not.toContain('StringLike');
      const provider = only(resources(hcl, 'aws_iam_openid_connect_provider', bootstrap), 'bootstrap OIDC provider');
      expect(provider.url).toBe(`https://${ci.oidc_issuer}`);
      const access = only(resources(hcl, 'aws_eks_access_policy_association'), 'EKS access');
      expect(access.access_scope).toEqual([{ type: 'namespace', namespaces: ['${var.namespace}'] }]);
      // Custom resources come from Kubernetes RBAC (deploy/k8s/cluster) bound to this group.
      expect(only(resources(hcl, 'aws_eks_access_entry'), 'EKS access entry').kubernetes_groups).toEqual(['${var.kubernetes_group}']);
      expect(ci.kubernetes_group).toBe(context.ciKubernetesGroup);
    }
    if (answers.cloud === 'gcp') {
      expect(ci.issuer_uri).toBe(github ? 'https://token.actions.githubusercontent.com' : 'https://gitlab.com');
      const claim = github ? 'repository' : 'project_path';
      // hcl2json reads the HCL string back, so the quotes are plain here.
      expect(ci.attribute_condition).toContain(`assertion.${claim} == "\${var.ci_repository}"`);
      expect(ci.attribute_condition).toContain('assertion.environment == "${var.environment}"');
      expect(ci.attribute_mapping['google.subject']).toBe('assertion.sub');
      const binding = only(resources(hcl, 'google_service_account_iam_member', `${root}/modules/gcp/ci-identity`), 'federation binding');
      expect(binding.member).toContain('/subject/${var.subject}');
    }
    if (answers.cloud === 'azure') {
      expect(ci.oidc_issuer).toBe(github ? 'https://token.actions.githubusercontent.com' : 'https://gitlab.com');
      const credential = only(resources(hcl, 'azurerm_federated_identity_credential', `${root}/modules/azure/ci-identity`), 'federated credential');
      expect(credential).toMatchObject({ subject: '${var.oidc_subject}', audience: ['api://AzureADTokenExchange'] });
      const writer = resources(hcl, 'azurerm_role_assignment', `${root}/modules/azure/ci-identity`).find((r) => r.role_definition_name === 'Azure Kubernetes Service RBAC Writer');
      expect(writer?.scope).toBe('${var.cluster_id}/namespaces/${var.namespace}');
    }
  });

  it('gives the serving and MLflow service accounts keyless workload identities', async () => {
    const main = hcl.get(`${root}/main.tf`)!;
    const namespace = (main.locals as Hcl[]).find((locals) => 'namespace' in locals)!;
    expect(namespace).toMatchObject({ namespace: context.namespace, service_account: context.serviceAccount, mlflow_service_account: context.mlflowServiceAccount });
    expect(block(hcl, `${root}/main.tf`, 'module', 'serving_identity').service_account).toBe('${local.service_account}');
    expect(block(hcl, `${root}/main.tf`, 'module', 'mlflow_identity').service_account).toBe('${local.mlflow_service_account}');
    const module = `${root}/modules/${answers.cloud}/workload-identity`;
    // The subject each identity trusts, with the root's values put in: MLflow's
    // is exactly the service account the MLflow Deployment runs as.
    const trusted = (identity: string) => {
      const args = block(hcl, `${root}/main.tf`, 'module', identity);
      const local = (ref: string) => String(namespace[ref.replace(/^\$\{local\.(.+)\}$/, '$1')]);
      const template = {
        aws: () => (only(resources(hcl, 'aws_iam_role', module), 'IRSA role').assume_role_policy as string).match(/"(system:serviceaccount:[^"]+)"/)![1]!,
        gcp: () => {
          const member = only(resources(hcl, 'google_service_account_iam_member', module), 'binding').member as string;
          const [, ns, account] = /\[(.+)\/(.+)\]$/.exec(member)!;
          return `system:serviceaccount:${ns}:${account}`;
        },
        azure: () => only(resources(hcl, 'azurerm_federated_identity_credential', module), 'credential').subject as string,
      }[answers.cloud as 'aws' | 'gcp' | 'azure']();
      return template.replace('${var.namespace}', local(args.namespace)).replace('${var.service_account}', local(args.service_account));
    };
    expect(trusted('mlflow_identity')).toBe(`system:serviceaccount:${context.namespace}:${context.mlflowServiceAccount}`);
    expect(trusted('serving_identity')).toBe(`system:serviceaccount:${context.namespace}:${context.serviceAccount}`);
    if (answers.cloud === 'aws') {
      const trust = only(resources(hcl, 'aws_iam_role', module), 'IRSA role').assume_role_policy as string;
      expect(trust).toContain('system:serviceaccount:${var.namespace}:${var.service_account}');
    }
    if (answers.cloud === 'gcp') {
      expect(only(resources(hcl, 'google_service_account_iam_member', module), 'binding').member).toBe(
        'serviceAccount:${var.workload_pool}[${var.namespace}/${var.service_account}]',
      );
      expect(only(resources(hcl, 'google_container_cluster'), 'cluster').workload_identity_config).toEqual([
        { workload_pool: '${var.project_id}.svc.id.goog' },
      ]);
    }
    if (answers.cloud === 'azure') {
      expect(only(resources(hcl, 'azurerm_federated_identity_credential', module), 'credential').subject).toBe(
        'system:serviceaccount:${var.namespace}:${var.service_account}',
      );
      expect(only(resources(hcl, 'azurerm_kubernetes_cluster'), 'cluster')).toMatchObject({ oidc_issuer_enabled: true, workload_identity_enabled: true });
    }
  });

  it(answers.gpu ? 'adds a GPU node pool' : 'has no GPU node pool', async () => {
    expect(block(hcl, `${root}/main.tf`, 'module', 'cluster').gpu_node_pool).toBe(answers.gpu);
    expect('gpu_machine_type' in variables(hcl, root)).toBe(answers.gpu);
    for (const env of ['staging', 'prod']) expect('gpu_machine_type' in hcl.get(`${root}/environments/${env}.tfvars`)!).toBe(answers.gpu);
    const pools = {
      aws: () => resources(hcl, 'aws_eks_node_group').filter((pool) => pool.node_group_name === 'gpu'),
      gcp: () => resources(hcl, 'google_container_node_pool').filter((pool) => pool.name === 'gpu'),
      azure: () => resources(hcl, 'azurerm_kubernetes_cluster_node_pool').filter((pool) => pool.name === 'gpu'),
    }[answers.cloud]();
    expect(only(pools, 'GPU pool resource').count).toBe('${var.gpu_node_pool ? 1 : 0}');
  });

  it('declares a managed PostgreSQL without exposing a password', async () => {
    const type = { aws: 'aws_db_instance', gcp: 'google_sql_database_instance', azure: 'azurerm_postgresql_flexible_server' }[answers.cloud];
    const database = only(resources(hcl, type!), 'database');
    // A write-only password from an ephemeral random one on every cloud: never in state, never rotated
    // behind MLflow's back; the same apply writes it to its secret and, URL-encoded in the backend store
    // URI, to the mlflow-backend secret the External Secrets Operator copies.
    const passwordArgument = { aws: 'password_wo', gcp: 'password_wo', azure: 'administrator_password_wo' }[answers.cloud]!;
    const ephemeral = { aws: '${ephemeral.aws_secretsmanager_random_password.mlflow.random_password}', gcp: '${ephemeral.random_password.mlflow.result}', azure: '${ephemeral.random_password.mlflow.result}' }[answers.cloud]!;
    const user = answers.cloud === 'gcp' ? only(resources(hcl, 'google_sql_user'), 'database user') : database;
    expect(user[passwordArgument]).toBe(ephemeral);
    expect(user).not.toHaveProperty(answers.cloud === 'azure' ? 'administrator_password' : 'password');
    expect(database).not.toHaveProperty('manage_master_user_password');
    expect(resources(hcl, 'random_password')).toEqual([]);
    const versionType = { aws: 'aws_secretsmanager_secret_version', gcp: 'google_secret_manager_secret_version', azure: 'azurerm_key_vault_secret' }[answers.cloud]!;
    const [valueArgument, versionArgument] = { aws: ['secret_string_wo', 'secret_string_wo_version'], gcp: ['secret_data_wo', 'secret_data_wo_version'], azure: ['value_wo', 'value_wo_version'] }[answers.cloud]!;
    const written = resources(hcl, versionType).filter((version) => String(version[valueArgument!]).includes(ephemeral.slice(2, -1)));
    expect(written, 'the password secret and the backend secret').toHaveLength(2);
    for (const version of written) {
      expect(version[versionArgument!]).toBe(user[`${passwordArgument}_version`]);
      expect(version).not.toHaveProperty(answers.cloud === 'azure' ? 'value' : answers.cloud === 'gcp' ? 'secret_data' : 'secret_string');
    }
    const backend = written.find((version) => String(version[valueArgument!]).startsWith('${jsonencode('))!;
    expect(String(backend[valueArgument!])).toContain(`urlencode(${ephemeral.slice(2, -1)})`);
    expect(String(backend[valueArgument!])).toMatch(/"backend-store-uri"\s*=\s*"postgresql:\/\//);
    expect(String(backend[valueArgument!])).toContain('"artifacts-destination"');
    if (answers.cloud === 'gcp') expect(database.settings[0].ip_configuration[0]).toMatchObject({ ipv4_enabled: false, ssl_mode: 'ENCRYPTED_ONLY' });
    if (answers.cloud === 'azure') expect(database.public_network_access_enabled).toBe(false);
    for (const [file, json] of hcl) {
      for (const [name, bodies] of Object.entries((json.output ?? {}) as Record<string, Hcl[]>)) {
        expect(String(bodies[0]!.value), `${file} output ${name}`).not.toMatch(/random_password|\.result\b|administrator_password|secret_data/);
      }
    }
  });

  it('outputs what CI and the Kubernetes overlays consume', async () => {
    const names = Object.keys(outputs(hcl, `${root}/outputs.tf`));
    const expected = [
      'registry_url',
      'registry_host',
      'cluster_name',
      'cluster_region',
      'kubernetes_namespace',
      'ci_identity',
      'serving_workload_identity',
      'mlflow_workload_identity',
      'mlflow_artifacts_uri',
      'database_host',
      'database_name',
      'database_user',
      'database_password_secret',
      'mlflow_users_secret',
      'api_keys_secret',
      ...(answers.dvc ? ['dvc_remote_url'] : []),
      ...({ aws: [], gcp: ['project_id', 'ci_workload_identity_provider', 'database_connection_name'], azure: ['resource_group_name', 'tenant_id', 'subscription_id', 'storage_account_name', 'ci_principal_id', 'key_vault_url', 'key_vault_name'] }[answers.cloud]),
    ];
    expect(names.sort()).toEqual(expected.sort());
    // GCP's bootstrap also makes the read-only identity of pull/merge-request plans (practice.plan-identity).
    const bootstrapOutputs = { aws: ['registry_url', 'state_bucket'], gcp: ['registry_url', 'state_bucket', 'plan_workload_identity_provider', 'plan_service_account'], azure: ['registry_url', 'registry_name', 'state_storage_account'] }[answers.cloud];
    expect(Object.keys(outputs(hcl, `${bootstrap}/outputs.tf`)).sort()).toEqual(bootstrapOutputs.sort());
    if (answers.dvc) {
      // The full remote URL, as `make dvc-remote` and the DVC_REMOTE_URL CI variable use it.
      const scheme = { aws: 's3://${module.dvc_data.name}', gcp: 'gs://${module.dvc_data.name}', azure: 'azure://dvc' }[answers.cloud];
      expect(outputs(hcl, `${root}/outputs.tf`).dvc_remote_url!.value).toBe(`${scheme}/data`);
    }
  });

  it('sets every root variable from tfvars or documents it as required', async () => {
    const declared = variables(hcl, root);
    expect(declared.region!.default).toBe(context.region);
    expect(declared.name!.default).toBe(context.imageName);
    const required = Object.keys(declared).filter((name) => !('default' in declared[name]!));
    const documented = ['ci_repository', ...({ aws: [], gcp: ['project_id'], azure: ['subscription_id'] }[answers.cloud])];
    const readme = createRenderer((await templates()).partials).compile('readme-infra', '{{> readme-infra}}')(context);
    for (const env of ['staging', 'prod']) {
      const values = hcl.get(`${root}/environments/${env}.tfvars`)!;
      for (const key of Object.keys(values)) expect(declared, `${env}.tfvars sets ${key}`).toHaveProperty(key);
      expect(required.filter((name) => !(name in values)).sort()).toEqual(documented.sort());
      expect(values.environment).toBe(env);
    }
    for (const name of documented) expect(readme).toContain(name);
    for (const name of ['registry_url', 'cluster_name', 'ci_identity', 'serving_workload_identity']) expect(readme).toContain(name);
  });
});

describe('global cloud names stay within their limits and apart for long names', () => {
  // The longest names that pass the name rule, sharing a 39-character prefix.
  const names = ['a'.repeat(39) + 'b', 'a'.repeat(39) + 'c', 'customer-lifetime-value-prediction-model', 'customer-lifetime-value-prediction-mode1'];

  it.each(names)('%s: every derived stem within its limit, lowercase, no edge hyphen', async (name) => {
    const context = deriveContext({ ...(await generateAnswers()), name }, (await templates()).versions, '0.0.0-test');
    const { bucketStem, gcpShort, gcpStateStem, azureCompact, acrStem } = context.cloudNames;
    expect(bucketStem.length).toBeLessThanOrEqual(30);
    expect(gcpShort.length).toBeLessThanOrEqual(17);
    expect(gcpStateStem.length).toBeLessThanOrEqual(24);
    expect(azureCompact).toMatch(/^[a-z][a-z0-9]{2,11}$/);
    for (const stem of [bucketStem, gcpShort, gcpStateStem]) expect(stem).toMatch(/^[a-z][a-z0-9-]*[a-z0-9]$/);
    // The longest bucket: stem-staging-mlflow-<12-digit AWS account> within S3's 63; Azure: compact + "prod" + 6 within 24.
    expect(`${bucketStem}-staging-mlflow-123456789012`.length).toBeLessThanOrEqual(63);
    expect(`${azureCompact}-prod-abcdef`.length).toBeLessThanOrEqual(24);
    expect(`${azureCompact}tfst12345678`.length).toBeLessThanOrEqual(24);
    expect(`${name}-staging-mlflow-abcdef`.length).toBeLessThanOrEqual(63);
    // ACR: 5-50 letters and digits, with the 8-character subscription hash.
    expect(`${acrStem}12345678`).toMatch(/^[a-z0-9]{5,50}$/);
  });

  it('two long names with the same prefix get different stems (a hash, not a plain prefix)', async () => {
    const versions = (await templates()).versions;
    const stems = await Promise.all(names.map(async (name) => deriveContext({ ...(await generateAnswers()), name }, versions, '0.0.0-test').cloudNames));
    for (const key of ['bucketStem', 'gcpShort', 'gcpStateStem', 'azureCompact', 'acrStem'] as const) {
      expect(new Set(stems.map((stem) => stem[key])).size, key).toBe(names.length);
    }
  });

  it('is deterministic: the same answers give the same Terraform bytes', async () => {
    const first = await generateRepo({ cloud: 'azure', name: 'customer-lifetime-value-prediction-model' });
    const second = await generateRepo({ cloud: 'azure', name: 'customer-lifetime-value-prediction-model' });
    for (const file of [`${root}/main.tf`, `${bootstrap}/main.tf`]) {
      expect(await readFile(join(second.dir, file), 'utf8')).toBe(await readFile(join(first.dir, file), 'utf8'));
    }
  });
});

async function generateAnswers(): Promise<Answers> {
  const { answersWith } = await import('../helpers/generate.js');
  return answersWith({ cloud: 'aws' });
}

describe('Terraform checks on broken repositories', () => {
  async function awsRepo(): Promise<RepoView> {
    const { dir } = await generateRepo({ cloud: 'aws', ci: 'github', name: 'churn-model' });
    return loadRepoView(dir);
  }

  it.runIf(hasTerraform)('fmt fails on an unformatted file, naming the file and line', async () => {
    const repo = await awsRepo();
    const file = `${root}/modules/aws/registry/main.tf`;
    const text = await readFile(join(repo.root, file), 'utf8');
    const line = text.split('\n').findIndex((l) => l.includes('image_tag_mutability')) + 1;
    await writeFile(join(repo.root, file), text.replace('  image_tag_mutability = "IMMUTABLE"', '  image_tag_mutability= "IMMUTABLE"'));
    const result = await terraformFmtCheck.run(repo);
    expect(result.status).toBe('failed');
    expect(result.findings).toEqual([expect.objectContaining({ file, line })]);
  });

  it.runIf(hasTerraform)('fmt fails on a syntax error, naming the file and line', async () => {
    const repo = await awsRepo();
    await writeFile(join(repo.root, root, 'broken.tf'), 'locals {\n  ok = true\n  missing =\n}\n');
    const result = await terraformFmtCheck.run(await loadRepoView(repo.root));
    expect(result.status).toBe('failed');
    expect(result.findings).toEqual([expect.objectContaining({ file: `${root}/broken.tf`, line: 3, message: 'Invalid expression' })]);
  });

  it('parse fails on a syntax error, naming the file and line', async () => {
    const { dir } = await generateRepo({ cloud: 'gcp', name: 'churn-model' });
    await writeFile(join(dir, root, 'broken.tf'), 'locals {\n  ok = true\n  missing =\n}\n');
    const result = await terraformParseCheck.run(await loadRepoView(dir));
    expect(result.status).toBe('failed');
    expect(result.findings).toEqual([expect.objectContaining({ file: `${root}/broken.tf`, line: 3 })]);
    expect(result.findings[0]!.message).toMatch(/^line 3, column \d+: /);
  });

  it.runIf(hasTerraform && hasMirror)('AWS validate fails on an unknown argument, naming the file and line', async () => {
    const repo = await awsRepo();
    const file = `${root}/modules/aws/storage/main.tf`;
    const text = await readFile(join(repo.root, file), 'utf8');
    await writeFile(join(repo.root, file), text.replace('  force_destroy = var.force_destroy\n', '  force_destroy = var.force_destroy\n  not_an_argument = true\n'));
    const line = (await readFile(join(repo.root, file), 'utf8')).split('\n').findIndex((l) => l.includes('not_an_argument')) + 1;
    const result = await terraformValidateCheck.run(repo);
    expect(result.status).toBe('failed');
    // Both roots use the storage module; each reports it.
    expect(result.findings.length).toBeGreaterThanOrEqual(1);
    for (const finding of result.findings) {
      expect(finding).toMatchObject({ file, line });
      expect(finding.message).toMatch(/Unsupported argument/);
    }
  });

  it.runIf(hasTerraform && hasMirror)('AWS validate fails on an undeclared variable in a root', async () => {
    const repo = await awsRepo();
    await appendFile(join(repo.root, root, 'main.tf'), '\noutput "typo" {\n  value = var.regoin\n}\n');
    const result = await terraformValidateCheck.run(repo);
    expect(result.status).toBe('failed');
    expect(result.findings).toEqual([expect.objectContaining({ file: `${root}/main.tf`, message: expect.stringMatching(/Reference to undeclared input variable/) })]);
  });

  it.runIf(hasTerraform && hasMirror)('AWS validate ignores a committed lock file made with another provider release', async () => {
    const repo = await awsRepo();
    const lock = [
      'provider "registry.terraform.io/hashicorp/aws" {',
      '  version     = "5.99.1"',
      '  constraints = "~> 5.80"',
      '  hashes      = ["h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]',
      '}',
      '',
    ].join('\n');
    await writeFile(join(repo.root, root, '.terraform.lock.hcl'), lock);
    const result = await terraformValidateCheck.run(await loadRepoView(repo.root));
    expect(result.findings).toEqual([]);
    expect(result.status).toBe('passed');
  });

  it.runIf(hasTerraform)('validate is skipped, not passed, when the configured mirror lacks the provider', async () => {
    const config = writeMirrorConfig('/nonexistent/tf-plugins', ['registry.terraform.io/hashicorp/aws'], 'mlforge-test-empty-mirror');
    const repo = await loadRepoView((await awsRepo()).root, { env: { ...process.env, TF_CLI_CONFIG_FILE: config } });
    const result = await terraformValidateCheck.run(repo);
    expect(result.status).toBe('skipped');
    expect(result.reason).toMatch(/^terraform init could not install hashicorp\/aws for infra\/terraform: /);
    expect(result.reason).toContain(`TF_CLI_CONFIG_FILE=${config}`);
  });

  it('fmt and validate are skipped, not passed, without terraform', async () => {
    const repo = await awsRepo();
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(await terraformFmtCheck.run(repo)).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^terraform not available \(not on PATH/) });
      expect(await terraformValidateCheck.run(repo)).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^terraform not available \(not on PATH/) });
    } finally {
      process.env.PATH = path;
    }
  });

  it('the wiring check catches an undeclared variable and a wrong module argument', async () => {
    const { dir } = await generateRepo({ cloud: 'azure', name: 'churn-model' });
    const file = join(dir, root, 'main.tf');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('node_vm_size        = var.node_machine_type', 'node_size           = var.node_machine_typo'));
    const repo = await loadRepoView(dir);
    expect(await wiringProblems(repo, await parseAll(repo))).toEqual([
      `${root}/main.tf: var.node_machine_typo is not declared`,
      `${root}/main.tf: module cluster passes node_size, which ${root}/modules/azure/cluster does not declare`,
      `${root}/main.tf: module cluster does not set the required node_vm_size`,
    ]);
  });

  it('fails, not passes, when a cloud repository has lost its Terraform', async () => {
    const { dir } = await generateRepo({ cloud: 'gcp', name: 'churn-model' });
    await rm(join(dir, 'infra'), { recursive: true });
    const repo = await loadRepoView(dir);
    for (const check of [terraformFmtCheck, terraformParseCheck, terraformValidateCheck]) {
      const result = await runCheck(check, repo);
      expect(result.status).toBe('failed');
      expect(result.findings).toEqual([expect.objectContaining({ file: 'infra/terraform/main.tf' })]);
    }
  });

  it('does not apply to cloud local, which has no Terraform', async () => {
    const { dir } = await generateRepo({ cloud: 'local', name: 'churn-model' });
    const repo = await loadRepoView(dir);
    expect(repo.files.some((file) => file.startsWith('infra/'))).toBe(false);
    for (const check of [terraformFmtCheck, terraformParseCheck, terraformValidateCheck]) {
      expect(check.applies(repo)).toBe(false);
      expect(check.inapplicableReason?.(repo)).toBe('cloud local has no Terraform');
    }
  });
});
