// The Kubernetes release practices on generated repositories: each passes on a
// fresh repository (canary, rolling and KServe, GPU on and off) and fails when
// one of the release mistakes it exists for is planted back.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { deriveRelease } from '../../src/derive-release.js';
import { registered } from '../../src/doctor/checks.js';
import { autoscalerOwnsReplicasCheck, canaryNeedsTrafficCheck, gracefulShutdownCheck, scrapedOnceCheck } from '../../src/doctor/practices/k8s-release.js';
import type { CheckResult, Rule } from '../../src/doctor/types.js';
import { runPlanted as runPlantedIn, type PlantedEdit } from '../helpers/planted.js';
import { generateRepo } from '../helpers/generate.js';

const variants = {
  rolling: { serving: 'fastapi', rollout: 'rolling', gpu: false },
  'rolling-gpu': { serving: 'fastapi', rollout: 'rolling', gpu: true },
  canary: { serving: 'fastapi', rollout: 'canary', gpu: false },
  'canary-gpu': { serving: 'fastapi', rollout: 'canary', gpu: true },
  kserve: { serving: 'kserve', rollout: 'rolling', gpu: false },
  'kserve-gpu': { serving: 'kserve', rollout: 'rolling', gpu: true },
} as const;
type Variant = keyof typeof variants;

const repos = {} as Record<Variant, string>;
const rules = [autoscalerOwnsReplicasCheck, gracefulShutdownCheck, scrapedOnceCheck, canaryNeedsTrafficCheck];

beforeAll(async () => {
  for (const [variant, answers] of Object.entries(variants)) {
    repos[variant as Variant] = (await generateRepo({ name: 'svc', cloud: 'aws', region: 'us-east-1', monitoring: true, ...answers })).dir;
  }
}, 120_000);

/** Runs `rule` on a copy of the variant's repository with each `[file, from, to]` edit applied. */
const runPlanted = (rule: Rule, variant: Variant, ...edits: PlantedEdit[]): Promise<CheckResult> => runPlantedIn(rule, repos[variant], edits);

const messages = (result: CheckResult) => result.findings.map((finding) => finding.message).join('\n');
const base = 'deploy/k8s/base';

describe('fresh repositories', () => {
  test.each(Object.keys(variants).flatMap((variant) => rules.map((rule) => [variant as Variant, registered(rule).id, rule] as const)))('%s: %s', async (variant, _id, rule) => {
    const result = await runPlanted(rule, variant);
    const applies = rule !== canaryNeedsTrafficCheck || variants[variant].rollout === 'canary';
    expect(result.status, messages(result)).toBe(applies ? 'passed' : 'skipped');
    if (rule === autoscalerOwnsReplicasCheck && variants[variant].gpu) expect(result.reason).toMatch(/GPU pool compared in 2 environments/);
  });

  test('the GPU pool of each environment is the derived peak of its pods', async () => {
    for (const variant of ['rolling-gpu', 'canary-gpu', 'kserve-gpu'] as const) {
      const release = deriveRelease(variants[variant]);
      for (const environment of ['staging', 'prod'] as const) {
        const tfvars = await readFile(join(repos[variant], `infra/terraform/environments/${environment}.tfvars`), 'utf8');
        const { maxReplicas, peakPods } = release.scale[environment];
        expect(tfvars).toMatch(new RegExp(`^gpu_count_max += ${peakPods}$`, 'm'));
        expect(peakPods).toBe(maxReplicas + (variant === 'canary-gpu' ? maxReplicas : release.maxSurge));
      }
    }
  });
});

describe('practice.autoscaler-owns-replicas', () => {
  test('fails on spec.replicas beside the HPA in the base', async () => {
    const result = await runPlanted(autoscalerOwnsReplicasCheck, 'rolling', [`${base}/model-server.yaml`, '  revisionHistoryLimit: 5', '  replicas: 2\n  revisionHistoryLimit: 5']);
    expect(result.status).toBe('failed');
    expect(result.findings).toEqual([expect.objectContaining({ file: `${base}/model-server.yaml`, message: expect.stringContaining('sets spec.replicas beside the HorizontalPodAutoscaler svc') })]);
  });

  test('fails on an overlay patch of /spec/replicas, with its line', async () => {
    const overlay = 'deploy/k8s/overlays/prod/kustomization.yaml';
    const result = await runPlanted(autoscalerOwnsReplicasCheck, 'canary', [overlay, '    patch: |-\n      - op: replace\n        path: /spec/template/spec/containers/0/resources/requests/cpu', '    patch: |-\n      - op: replace\n        path: /spec/replicas\n        value: 3\n      - op: replace\n        path: /spec/template/spec/containers/0/resources/requests/cpu']);
    const text = await readFile(join(repos.canary, overlay), 'utf8');
    const patchLine = text.split('\n').findIndex((line) => line.includes('path: /spec/template/spec/containers/0/resources/requests/cpu')) + 1;
    expect(result.findings).toEqual([expect.objectContaining({ file: overlay, line: patchLine - 1, message: expect.stringContaining('prod overlay patches /spec/replicas of Rollout svc') })]);
  });

  test.each(['canary-gpu', 'rolling-gpu', 'kserve-gpu'] as const)('%s: fails when the staging GPU pool cannot hold a release', async (variant) => {
    const release = deriveRelease(variants[variant]);
    const tfvars = 'infra/terraform/environments/staging.tfvars';
    const result = await runPlanted(autoscalerOwnsReplicasCheck, variant, [tfvars, /^gpu_count_max += \d+$/m, 'gpu_count_max    = 1']);
    expect(result.findings).toEqual([expect.objectContaining({ file: tfvars, message: expect.stringContaining(`can run ${release.scale.staging.peakPods} GPU pods at once`) })]);
  });

  test('fails when the overlay raises maxReplicas past the GPU pool', async () => {
    const overlay = 'deploy/k8s/overlays/staging/kustomization.yaml';
    const result = await runPlanted(autoscalerOwnsReplicasCheck, 'kserve-gpu', [overlay, /(path: \/spec\/predictor\/maxReplicas\n\s+value: )\d+/, '$19']);
    expect(messages(result)).toMatch(/maxReplicas 9 \+ 1 during a rolling update/);
  });
});

describe('practice.graceful-shutdown', () => {
  test.each(['rolling', 'canary', 'kserve'] as const)('%s: fails without the preStop sleep', async (variant) => {
    const file = `${base}/${variant === 'kserve' ? 'inferenceservice' : 'model-server'}.yaml`;
    const result = await runPlanted(gracefulShutdownCheck, variant, [file, /\n\s+lifecycle:\n(.*\n)*?\s+- "\d+"/, '']);
    expect(result.findings).toEqual([expect.objectContaining({ file, message: expect.stringContaining('has no preStop sleep') })]);
  });

  test('fails on a grace period shorter than preStop + graceful shutdown + margin', async () => {
    const release = deriveRelease(variants.rolling);
    const result = await runPlanted(gracefulShutdownCheck, 'rolling', [`${base}/model-server.yaml`, `terminationGracePeriodSeconds: ${release.terminationGracePeriodSeconds}`, 'terminationGracePeriodSeconds: 30']);
    expect(result.findings).toEqual([expect.objectContaining({ message: expect.stringContaining('gives its pods 30 s to stop'), fix: `Set terminationGracePeriodSeconds to at least ${release.terminationGracePeriodSeconds}.` })]);
  });

  test('a longer uvicorn shutdown needs a longer grace period; none at all is a finding too', async () => {
    const longer = await runPlanted(gracefulShutdownCheck, 'canary', ['Dockerfile', /"--timeout-graceful-shutdown", "\d+"/, '"--timeout-graceful-shutdown", "60"']);
    expect(messages(longer)).toMatch(/uvicorn's graceful shutdown \(60 s\)/);
    const none = await runPlanted(gracefulShutdownCheck, 'kserve', ['Dockerfile', /, "--timeout-graceful-shutdown", "\d+"/, '']);
    expect(none.findings).toEqual([expect.objectContaining({ file: 'Dockerfile', message: expect.stringContaining('without --timeout-graceful-shutdown') })]);
  });

  test('the native sleep action counts as a preStop sleep', async () => {
    const result = await runPlanted(gracefulShutdownCheck, 'rolling', [`${base}/model-server.yaml`, /exec:\n\s+command:\n\s+- sleep\n\s+- "(\d+)"/, 'sleep:\n                seconds: $1']);
    expect(result.status, messages(result)).toBe('passed');
  });
});

describe('practice.metrics-scraped-once', () => {
  test('fails when the ServiceMonitor selects the stable and canary Services', async () => {
    const result = await runPlanted(scrapedOnceCheck, 'canary', [`${base}/servicemonitor.yaml`, 'app.kubernetes.io/component: model-server-metrics', 'app.kubernetes.io/component: model-server']);
    expect(result.findings).toEqual([expect.objectContaining({ message: expect.stringMatching(/scrapes every pod of Rollout svc 2 times: through Service svc .*, Service svc-canary/) })]);
  });

  test('fails when a PodMonitor scrapes the pods the ServiceMonitor already scrapes', async () => {
    const podMonitor = '---\napiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata:\n  name: svc-pods\nspec:\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: svc\n  podMetricsEndpoints:\n    - port: http\n';
    const result = await runPlanted(scrapedOnceCheck, 'rolling', [`${base}/servicemonitor.yaml`, /$/, podMonitor]);
    expect(messages(result)).toMatch(/Deployment svc 2 times: .*PodMonitor svc-pods/);
  });

  test('fails when nothing scrapes the KServe predictor pods', async () => {
    const result = await runPlanted(scrapedOnceCheck, 'kserve', [`${base}/metrics-service.yaml`, 'serving.kserve.io/inferenceservice: svc', 'serving.kserve.io/inferenceservice: other']);
    expect(messages(result)).toMatch(/No ServiceMonitor or PodMonitor scrapes the pods of InferenceService svc/);
  });

  test('fails when the canary cannot be told from stable', async () => {
    const unlabelled = await runPlanted(scrapedOnceCheck, 'canary', [`${base}/servicemonitor.yaml`, /  podTargetLabels:\n    - rollouts-pod-template-hash\n/, '']);
    expect(messages(unlabelled)).toMatch(/does not copy the pods' rollouts-pod-template-hash label/);
    const byService = await runPlanted(scrapedOnceCheck, 'canary', [`${base}/analysis-template.yaml`, /rollouts_pod_template_hash="\{\{args\.canary-hash\}\}"\}\[/, 'service="svc-canary"}[']);
    expect(messages(byService)).toMatch(/traffic query of AnalysisTemplate svc-canary-health does not select the canary pods/);
    const noHash = await runPlanted(scrapedOnceCheck, 'canary', [`${base}/model-server.yaml`, /valueFrom:\n\s+podTemplateHashValue: Latest/, 'value: svc-canary']);
    expect(messages(noHash)).toMatch(/analysis step 3 of Rollout svc does not pass the canary's pod-template hash/);
  });
});

describe('practice.canary-analysis-traffic', () => {
  test('fails on the `or vector(0)` fallback and a condition that accepts no data', async () => {
    const result = await runPlanted(
      canaryNeedsTrafficCheck,
      'canary',
      [`${base}/analysis-template.yaml`, 'successCondition: len(result) == 1 && result[0] < 0.5', 'successCondition: result[0] < 0.5'],
      [`${base}/analysis-template.yaml`, /(histogram_quantile\(.*\)\)\))\n/, '$1 >= 0 or vector(0)\n'],
    );
    expect(result.findings.map((finding) => finding.message)).toEqual([
      expect.stringContaining('latency-p99 metric of AnalysisTemplate svc-canary-health does not fail on an empty result'),
      expect.stringContaining('latency-p99 query of AnalysisTemplate svc-canary-health falls back to a constant'),
    ]);
  });

  test('fails without a minimum request count for the canary', async () => {
    const release = deriveRelease(variants.canary);
    const result = await runPlanted(canaryNeedsTrafficCheck, 'canary', [`${base}/analysis-template.yaml`, `result[0] >= ${release.canaryMinRequests}`, 'result[0] >= 0']);
    expect(result.findings).toEqual([expect.objectContaining({ message: expect.stringContaining(`at least ${release.canaryMinRequests} requests`) })]);
  });

  test('does not apply to rolling updates or KServe', async () => {
    expect((await runPlanted(canaryNeedsTrafficCheck, 'rolling')).reason).toBe('no canary rollout');
    expect((await runPlanted(canaryNeedsTrafficCheck, 'kserve')).status).toBe('skipped');
  });
});
