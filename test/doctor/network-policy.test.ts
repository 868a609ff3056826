// practice.network-policy-enforced: each cloud's generated cluster enforces
// NetworkPolicies, and the check fails when enforcement is planted away
// (the EKS add-on or its setting, GKE's Dataplane V2, AKS's engine).

import { beforeAll, describe, expect, test } from 'vitest';
import { networkPolicyEnforcedCheck } from '../../src/doctor/practices/network-policy.js';
import type { CheckResult } from '../../src/doctor/types.js';
import { runPlanted as runPlantedIn, type PlantedEdit } from '../helpers/planted.js';
import { generateRepo } from '../helpers/generate.js';

const clouds = ['aws', 'gcp', 'azure', 'local'] as const;
type Cloud = (typeof clouds)[number];
const repos = {} as Record<Cloud, string>;

beforeAll(async () => {
  for (const cloud of clouds) repos[cloud] = (await generateRepo({ name: 'svc', cloud })).dir;
}, 120_000);

const runPlanted = (cloud: Cloud, ...edits: PlantedEdit[]): Promise<CheckResult> => runPlantedIn(networkPolicyEnforcedCheck, repos[cloud], edits);

const cluster = (cloud: Cloud) => `infra/terraform/modules/${cloud}/cluster/main.tf`;
const messages = (result: CheckResult) => result.findings.map((finding) => finding.message).join('\n');

describe('practice.network-policy-enforced', () => {
  test.each(['aws', 'gcp', 'azure'] as const)('passes on a fresh %s repository', async (cloud) => {
    const result = await runPlanted(cloud);
    expect(result.findings).toEqual([]);
    expect(result.status).toBe('passed');
  });

  test('--cloud local is skipped with the reason (kind enforces them; no Terraform)', async () => {
    const result = await runPlanted('local');
    expect(result.status).toBe('skipped');
    expect(result.reason).toMatch(/kindnetd enforces NetworkPolicies/);
  });

  test('EKS without the vpc-cni add-on fails, on the cluster resource line', async () => {
    const result = await runPlanted('aws', [cluster('aws'), 'addon_name                  = "vpc-cni"', 'addon_name                  = "coredns"']);
    expect(messages(result)).toMatch(/EKS cluster this has no aws_eks_addon "vpc-cni"/);
    expect(result.findings[0]).toMatchObject({ file: cluster('aws') });
    expect(result.findings[0]!.line).toBeGreaterThan(1);
  });

  test('EKS with the add-on but its network policy agent off fails', async () => {
    const result = await runPlanted('aws', [cluster('aws'), 'enableNetworkPolicy = "true"', 'enableNetworkPolicy = "false"']);
    expect(messages(result)).toMatch(/does not set enableNetworkPolicy = "true"/);
  });

  test('GKE without Dataplane V2 fails', async () => {
    const result = await runPlanted('gcp', [cluster('gcp'), 'datapath_provider = "ADVANCED_DATAPATH"', 'datapath_provider = "LEGACY_DATAPATH"']);
    expect(messages(result)).toMatch(/GKE cluster this enforces no NetworkPolicies/);
  });

  test('AKS without a network policy engine fails', async () => {
    const result = await runPlanted('azure', [cluster('azure'), /\n\s*network_policy\s*=\s*"cilium"/, '']);
    expect(messages(result)).toMatch(/AKS cluster this has no network policy engine \(network_profile.network_policy is unset\)/);
  });
});
