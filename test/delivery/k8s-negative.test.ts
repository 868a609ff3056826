// Each Kubernetes check must fail on the mistake it exists to catch: the
// generated repository is copied, one manifest is broken, and the check runs
// on the copy.

import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import type { Check } from '../../src/doctor/types.js';
import { customResourceCheck, kubernetesSchemaCheck, kustomizeBuildCheck, podSecurityCheck } from '../../src/doctor/validators/kubernetes.js';
import { podTemplates, restrictedViolations } from '../../src/doctor/validators/kubernetes-pod-security.js';
import { generateRepo } from '../helpers/generate.js';

const canary = { cloud: 'aws', serving: 'fastapi', rollout: 'canary', monitoring: true } as const;
const kserve = { cloud: 'gcp', serving: 'kserve', rollout: 'rolling', monitoring: true } as const;
const repos: Record<string, string> = {};

beforeAll(async () => {
  repos.canary = (await generateRepo(canary)).dir;
  repos.kserve = (await generateRepo(kserve)).dir;
});

/** Copies a generated repo, applies `edit` to one file (it must change it), runs `check`. */
async function runOnBroken(source: string, file: string, edit: (text: string) => string, check: Check) {
  const dir = join(await mkdtemp(join(tmpdir(), 'mlforge-k8s-broken-')), 'repo');
  await cp(source, dir, { recursive: true });
  const before = await readFile(join(dir, file), 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before);
  await writeFile(join(dir, file), after);
  return check.run(await loadRepoView(dir));
}

const messages = (result: { findings: Array<{ message: string }> }) => result.findings.map((finding) => finding.message).join('\n');

describe('Kubernetes checks catch broken manifests', () => {
  it('the unbroken repositories pass every check', async () => {
    for (const dir of Object.values(repos)) {
      const repo = await loadRepoView(dir);
      for (const check of [kustomizeBuildCheck, kubernetesSchemaCheck, podSecurityCheck, customResourceCheck]) {
        expect((await check.run(repo)).status).toBe('passed');
      }
    }
  });

  it('a privileged container', async () => {
    const result = await runOnBroken(repos.canary!, 'deploy/k8s/base/model-server.yaml', (text) => text.replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: false\n            privileged: true'), podSecurityCheck);
    expect(result.status).toBe('failed');
    expect(messages(result)).toMatch(/container model-server is privileged/);
    expect(result.findings[0]).toMatchObject({ file: 'deploy/k8s/base/model-server.yaml', line: expect.any(Number) });
  });

  it('a pod without runAsNonRoot', async () => {
    const result = await runOnBroken(repos.canary!, 'deploy/k8s/base/model-server.yaml', (text) => text.replace(/^ +runAsNonRoot: true\n/gm, ''), podSecurityCheck);
    expect(result.status).toBe('failed');
    expect(messages(result)).toMatch(/container model-server may run as root/);
  });

  it('the drift CronJob and the KServe predictor are held to the same standard', async () => {
    const cron = await runOnBroken(repos.kserve!, 'deploy/k8s/base/drift-cronjob.yaml', (text) => text.replace('- ALL', '- ALL\n                  add:\n                    - SYS_ADMIN'), podSecurityCheck);
    expect(messages(cron)).toMatch(/CronJob\/.*container drift adds capability SYS_ADMIN/);
    const predictor = await runOnBroken(repos.kserve!, 'deploy/k8s/base/inferenceservice.yaml', (text) => text.replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false'), podSecurityCheck);
    expect(messages(predictor)).toMatch(/InferenceService\/.*spec\.predictor\.containers\[0\].*writable root filesystem/);
  });

  it('a typo in a field name', async () => {
    const result = await runOnBroken(repos.canary!, 'deploy/k8s/base/hpa.yaml', (text) => text.replace('minReplicas:', 'minReplica:'), kubernetesSchemaCheck);
    expect(result.status).toBe('failed');
    expect(messages(result)).toMatch(/HorizontalPodAutoscaler\/.*unknown field spec\.minReplica\b/);
  });

  it('a typo inside the pod template of a custom resource', async () => {
    const rollout = await runOnBroken(repos.canary!, 'deploy/k8s/base/model-server.yaml', (text) => text.replace('readinessProbe:', 'readinesProbe:'), kubernetesSchemaCheck);
    expect(messages(rollout)).toMatch(/Rollout\/.*unknown field spec\.template\.spec\.containers\[0\]\.readinesProbe/);
    const predictor = await runOnBroken(repos.kserve!, 'deploy/k8s/base/inferenceservice.yaml', (text) => text.replace('livenessProbe:', 'livenesProbe:'), kubernetesSchemaCheck);
    expect(messages(predictor)).toMatch(/InferenceService\/.*unknown field spec\.predictor\.containers\[0\]\.livenesProbe/);
  });

  it('a wrong type in a built-in object', async () => {
    const result = await runOnBroken(repos.canary!, 'deploy/k8s/base/pdb.yaml', (text) => text.replace('minAvailable: 1', 'minAvailable: [1]'), kubernetesSchemaCheck);
    expect(result.status).toBe('failed');
    expect(messages(result)).toMatch(/PodDisruptionBudget\/.*spec\.minAvailable/);
  });

  it('a Rollout without a strategy', async () => {
    const result = await runOnBroken(repos.canary!, 'deploy/k8s/base/model-server.yaml', (text) => text.replace(/^ {2}strategy:\n(?: {4,}.*\n)+/m, ''), customResourceCheck);
    expect(result.status).toBe('failed');
    expect(messages(result)).toMatch(/Rollout\/.*spec: must have required property 'strategy'/);
  });

  it('an InferenceService with a misspelt scaling field and a PrometheusRule with an unknown rule key', async () => {
    const isvc = await runOnBroken(repos.kserve!, 'deploy/k8s/base/inferenceservice.yaml', (text) => text.replace('scaleMetric: cpu', 'scaleMetric: gpu'), customResourceCheck);
    expect(messages(isvc)).toMatch(/InferenceService\/.*spec\.predictor\.scaleMetric: must be equal to one of the allowed values/);
    const rule = await runOnBroken(repos.kserve!, 'deploy/k8s/base/prometheusrule.yaml', (text) => text.replace('spec:\n  groups:', 'spec:\n  group:'), customResourceCheck);
    expect(messages(rule)).toMatch(/PrometheusRule\/.*must NOT have additional properties \(group\)/);
  });

  it('an overlay that references a missing resource', async () => {
    const result = await runOnBroken(repos.canary!, 'deploy/k8s/base/kustomization.yaml', (text) => text.replace('  - pdb.yaml\n', '  - pdb.yaml\n  - budget.yaml\n'), kustomizeBuildCheck);
    expect(result.status).toBe('failed');
    expect(result.findings.map((finding) => finding.file)).toEqual(['deploy/k8s/overlays/prod/kustomization.yaml', 'deploy/k8s/overlays/staging/kustomization.yaml']);
    expect(messages(result)).toMatch(/budget\.yaml/);
  });

  it('an overlay that leaves a deploy-time value unreplaced', async () => {
    const result = await runOnBroken(repos.canary!, 'deploy/k8s/components/deploy-values/kustomization.yaml', (text) => text.replace(/ {2}- source:\n(?: {4,}.*\n)+?(?= {2}- source:)/, ''), kustomizeBuildCheck);
    expect(result.status).toBe('failed');
    expect(messages(result)).toMatch(/still contains "set-from-deploy-values"/);
  });
});

describe('restricted Pod Security Standard rules', () => {
  const compliant = {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'app', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
  };
  const violations = (spec: object) =>
    podTemplates({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec }).flatMap(restrictedViolations).map((violation) => violation.message);

  it('accepts a compliant pod', () => {
    expect(violations(compliant)).toEqual([]);
  });

  it('rejects each baseline and restricted violation', () => {
    expect(violations({ ...compliant, hostNetwork: true })).toEqual([expect.stringMatching(/hostNetwork/)]);
    expect(violations({ ...compliant, volumes: [{ name: 'h', hostPath: { path: '/' } }] })).toEqual([expect.stringMatching(/volume type hostPath/)]);
    expect(violations({ ...compliant, securityContext: { ...compliant.securityContext, runAsUser: 0 } })).toEqual([expect.stringMatching(/runAsUser is 0/)]);
    expect(violations({ ...compliant, securityContext: { runAsNonRoot: true } })).toEqual([expect.stringMatching(/seccomp/)]);
    const container = compliant.containers[0]!;
    const withContainer = (patch: object) => violations({ ...compliant, containers: [{ ...container, ...patch }] });
    expect(withContainer({ securityContext: { capabilities: { drop: ['ALL'] } } })).toEqual([expect.stringMatching(/allowPrivilegeEscalation/)]);
    expect(withContainer({ securityContext: { allowPrivilegeEscalation: false } })).toEqual([expect.stringMatching(/drop ALL/)]);
    expect(withContainer({ ports: [{ containerPort: 80, hostPort: 80 }] })).toEqual([expect.stringMatching(/host port 80/)]);
    expect(withContainer({ securityContext: { ...container.securityContext, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } })).toEqual([]);
  });
});
