// validator.terraform-schema: Terraform checked against the providers' schemas
// (extracted from the CDKTF bindings, src/doctor/schemas/terraform/) and against
// its own modules, with no provider download. Generated repositories of every
// cloud and serving pass with no finding; each kind of planted mistake is
// caught at its line with a suggestion; on AWS, where `terraform validate` runs
// against the mirrored provider, both checks catch the same planted mistake.

import { describe, expect, test } from 'vitest';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import { referencesIn } from '../../src/doctor/parse/terraform-references.js';
import { providerSchema, schemaProviders } from '../../src/doctor/schemas/terraform-schemas.js';
import { createToolRunner } from '../../src/doctor/tools/tool-runner.js';
import { terraformValidateCheck } from '../../src/doctor/validators/terraform.js';
import { closest, terraformSchemaCheck } from '../../src/doctor/validators/terraform-schema.js';
import type { Answers } from '../../src/questions/table.js';
import { generateRepo, templates } from '../helpers/generate.js';
import { runPlanted, type PlantedEdit } from '../helpers/planted.js';

const combos: Array<Partial<Answers>> = [
  { cloud: 'aws' },
  { cloud: 'aws', gpu: true, serving: 'kserve', ci: 'gitlab' },
  { cloud: 'gcp' },
  { cloud: 'gcp', gpu: true, serving: 'kserve', rollout: 'canary' },
  { cloud: 'azure' },
  { cloud: 'azure', gpu: true, ci: 'gitlab', dvc: true },
];

describe('generated Terraform matches its providers and modules', () => {
  test.each(combos.map((combo) => [JSON.stringify(combo), combo] as const))('%s', async (_name, combo) => {
    const result = await terraformSchemaCheck.run(await loadRepoView((await generateRepo(combo)).dir));
    expect(result.findings).toEqual([]);
    expect(result.status).toBe('passed');
    const provider = { aws: 'aws', gcp: 'google', azure: 'azurerm' }[combo.cloud as 'aws' | 'gcp' | 'azure'];
    expect(result.reason).toMatch(new RegExp(`^\\d+ resource and data blocks in \\d+ directories checked against .*hashicorp/${provider} `));
  });

  test('cloud local has no Terraform: not applicable; a cloud repository without it fails', async () => {
    const local = await loadRepoView((await generateRepo({ cloud: 'local' })).dir);
    expect(terraformSchemaCheck.applies(local)).toBe(false);
    const gcp = await loadRepoView((await generateRepo({ cloud: 'gcp' })).dir);
    const stripped = { ...gcp, files: gcp.files.filter((file) => !file.endsWith('.tf')) };
    expect(await terraformSchemaCheck.run(stripped)).toMatchObject({ status: 'failed', findings: [expect.objectContaining({ file: 'infra/terraform/main.tf' })] });
  });
});

describe('planted mistakes are caught, each at its line', () => {
  const gcpCluster = 'infra/terraform/modules/gcp/cluster/main.tf';
  const gcpOutputs = 'infra/terraform/modules/gcp/cluster/outputs.tf';
  const azureCluster = 'infra/terraform/modules/azure/cluster/main.tf';

  async function plant(combo: Partial<Answers>, edits: PlantedEdit[]) {
    const { dir } = await generateRepo(combo);
    return runPlanted(terraformSchemaCheck, dir, edits);
  }

  test.each<[string, Partial<Answers>, PlantedEdit, RegExp, RegExp]>([
    ['GKE: workload_identity_pool for workload_pool', { cloud: 'gcp' }, [gcpCluster, 'workload_pool = ', 'workload_identity_pool = '], /block workload_identity_config has no argument or block "workload_identity_pool"/, /Did you mean "workload_pool"/],
    ['AKS: enable_auto_scaling, which azurerm 4.x renamed', { cloud: 'azure' }, [azureCluster, 'auto_scaling_enabled', 'enable_auto_scaling'], /block default_node_pool has no argument or block "enable_auto_scaling"/, /Did you mean "auto_scaling_enabled"/],
    ['a misspelled resource type', { cloud: 'gcp' }, [gcpCluster, 'resource "google_container_node_pool"', 'resource "google_container_nodepool"'], /resource type google_container_nodepool does not exist in hashicorp\/google 6\.50\.0/, /provider documents/],
    ['a computed attribute set as an argument', { cloud: 'gcp' }, [gcpCluster, /networking_mode( +)=/, 'endpoint = "x"\n  networking_mode$1='], /cannot set "endpoint": the provider computes it/, /./],
    ['a required argument left out', { cloud: 'azure' }, [azureCluster, /\n  resource_group_name = var\.resource_group_name\n/, '\n'], /lacks the required argument "resource_group_name"/, /Set "resource_group_name"/],
    ['a nested attribute reference that does not exist', { cloud: 'gcp' }, [gcpOutputs, 'workload_identity_config[0].workload_pool', 'workload_identity_config[0].workload_pol'], /has no attribute "workload_identity_config\.workload_pol"/, /Did you mean "workload_pool"/],
    ['an attribute of a computed list of objects', { cloud: 'azure' }, [azureCluster, 'kubelet_identity[0].object_id', 'kubelet_identity[0].objectid'], /has no attribute "kubelet_identity\.objectid"/, /Did you mean "object_id"/],
    ['a reference to an undeclared resource', { cloud: 'gcp' }, [gcpOutputs, 'google_container_cluster.this.name', 'google_container_cluster.main.name'], /no resource google_container_cluster\.main is declared in infra\/terraform\/modules\/gcp\/cluster/, /module outputs/],
    ['a wrong module output', { cloud: 'gcp' }, ['infra/terraform/outputs.tf', 'module.cluster.name', 'module.cluster.cluster_name'], /module "cluster" \(infra\/terraform\/modules\/gcp\/cluster\) has no output "cluster_name"/, /Use one of its outputs \(.*name/],
    ['an undeclared variable', { cloud: 'azure' }, [azureCluster, 'var.resource_group_name', 'var.resource_group'], /no variable "resource_group" is declared in infra\/terraform\/modules\/azure\/cluster/, /Declare variable/],
  ])('%s', async (_name, combo, edit, message, fix) => {
    const result = await plant(combo, [edit]);
    expect(result.status).toBe('failed');
    const caught = result.findings.find((finding) => message.test(finding.message));
    expect(caught, JSON.stringify(result.findings, null, 2)).toBeDefined();
    expect(caught!.file).toBe(edit[0]);
    expect(caught!.line).toBeGreaterThan(0);
    expect(caught!.fix).toMatch(fix);
  });

  test('a module argument the module does not declare, and a required variable left out', async () => {
    const { dir } = await generateRepo({ cloud: 'gcp' });
    const main = await (await loadRepoView(dir)).read('infra/terraform/main.tf');
    const call = /module "cluster" \{\n\s+source\s+= "[^"]+"\n/.exec(main)![0];
    const result = await runPlanted(terraformSchemaCheck, dir, [
      ['infra/terraform/main.tf', call, `${call}  node_counts = 3\n`],
      ['infra/terraform/main.tf', /\n  project_id +=[^\n]+\n/, '\n'],
    ]);
    const messages = result.findings.map((finding) => finding.message);
    expect(messages).toContainEqual(expect.stringMatching(/module "cluster" passes "node_counts", which infra\/terraform\/modules\/gcp\/cluster does not declare/));
    expect(messages).toContainEqual(expect.stringMatching(/module "\w+" does not set "project_id", which .* requires \(no default\)/));
  });
});

// terraform validate is the reference where it runs: the mirrored AWS provider.
const validateRuns = await (async () => {
  const { dir } = await generateRepo({ cloud: 'aws' });
  const result = await terraformValidateCheck.run(await loadRepoView(dir));
  if (result.status !== 'passed') console.log(`skipped: terraform validate does not run here (${result.reason ?? result.status}); the AWS comparison needs it`);
  return result.status === 'passed';
})();

describe.skipIf(!validateRuns)('on AWS, the schema check and terraform validate agree', () => {
  test('both pass the generated repository (above) and both catch a misspelled argument and a wrong attribute', async () => {
    const { dir } = await generateRepo({ cloud: 'aws' });
    const file = 'infra/terraform/modules/aws/cluster/main.tf';
    // One planting each: validate stops at argument errors before it evaluates references.
    const plantings: Array<[PlantedEdit, RegExp, RegExp]> = [
      [[file, /role_arn( +)=/, 'role_arm$1='], /has no argument or block "role_arm"[\s\S]*lacks the required argument "role_arn"/, /Missing required argument — The argument "role_arn" is required[\s\S]*Unsupported argument — An argument named "role_arm"/],
      [[file, 'aws_iam_role.node.arn', 'aws_iam_role.node.amazon_resource_name'], /aws_iam_role has no attribute "amazon_resource_name"/, /amazon_resource_name/],
    ];
    for (const [edit, fromSchema, fromValidate] of plantings) {
      const schema = await runPlanted(terraformSchemaCheck, dir, [edit]);
      const validate = await runPlanted(terraformValidateCheck, dir, [edit]);
      expect(schema.findings.map((finding) => finding.message).join('\n')).toMatch(fromSchema);
      expect(validate.findings.map((finding) => finding.message).join('\n')).toMatch(fromValidate);
    }
  });
});

describe('the schemas', () => {
  test('each is of a provider version the generated constraints accept', async () => {
    const constraints = (await templates()).versions.terraform?.providers as Record<string, string>;
    for (const provider of schemaProviders) {
      const schema = providerSchema(provider);
      const [major, minor] = constraints[provider]!.replace('~> ', '').split('.').map(Number);
      const [haveMajor, haveMinor] = schema.version.split('.').map(Number);
      expect(schema.provider).toBe(`hashicorp/${provider}`);
      expect(haveMajor, `${provider} ${schema.version} against ${constraints[provider]}`).toBe(major);
      expect(haveMinor).toBeGreaterThanOrEqual(minor!);
      expect(Object.keys(schema.resource).length).toBeGreaterThan(provider === 'random' ? 5 : 500);
    }
  });

  test('the resources mlforge generates are there with their arguments', () => {
    expect(providerSchema('google').resource.google_container_cluster!.b!.workload_identity_config).toEqual({ a: ['workload_pool'] });
    expect(providerSchema('azurerm').resource.azurerm_kubernetes_cluster!.r).toEqual(expect.arrayContaining(['default_node_pool', 'location', 'name', 'resource_group_name']));
    expect(providerSchema('aws').resource.aws_eks_cluster!.r).toEqual(expect.arrayContaining(['name', 'role_arn', 'vpc_config']));
  });
});

describe('references in expressions', () => {
  test('traversals of each kind; literals, iterators and function names are not references', () => {
    const found = referencesIn('format("%s.svc.id.goog", var.project_id) == google_container_cluster.this.master_auth[0].cluster_ca_certificate ? module.net.ids[*] : [for s in data.aws_subnets.private.ids : s.id] if lookup(local.tags, each.key) != cidr_blocks.value');
    expect(found.map((reference) => [reference.kind, reference.type, reference.name, reference.path.join('.')])).toEqual([
      ['var', undefined, 'project_id', ''],
      ['resource', 'google_container_cluster', 'this', 'master_auth.cluster_ca_certificate'],
      ['module', undefined, 'net', 'ids'],
      ['data', 'aws_subnets', 'private', 'ids'],
      ['local', undefined, 'tags', ''],
      // An iterator with an underscore reads as a resource traversal; the check ignores types of no known provider.
      ['resource', 'cidr_blocks', 'value', ''],
    ]);
    expect(referencesIn('"${var.a}-${local.b}"').map((reference) => reference.name)).toEqual(['a', 'b']);
  });

  test('the suggestion is the closest name, or none', () => {
    expect(closest('enable_auto_scaling', ['auto_scaling_enabled', 'max_count', 'node_count'])).toBe('auto_scaling_enabled');
    expect(closest('workload_pol', ['workload_pool', 'name'])).toBe('workload_pool');
    expect(closest('zzz', ['name', 'location'])).toBeUndefined();
  });
});

test('the tool runner is not needed: the check runs no external tool', async () => {
  const { dir } = await generateRepo({ cloud: 'azure' });
  const repo = await loadRepoView(dir);
  const refusing = createToolRunner({ exec: () => Promise.reject(new Error('no tool may run')), env: {}, repoRoot: dir });
  expect(await terraformSchemaCheck.run({ ...repo, tools: refusing })).toMatchObject({ status: 'passed' });
});
