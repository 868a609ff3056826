// practice.predict-exposure on generated repositories: it passes on fresh ones
// (Deployment, Rollout, InferenceService) and fails when one exposure mistake is
// planted back: the Ingress publishing everything, no API key file, a key file
// outside any mounted Secret, /docs left on in the cluster.

import { beforeAll, describe, expect, test } from 'vitest';
import { predictExposureCheck } from '../../src/doctor/practices/predict-exposure.js';
import type { CheckResult } from '../../src/doctor/types.js';
import { runPlanted as runPlantedIn, type PlantedEdit } from '../helpers/planted.js';
import { generateRepo } from '../helpers/generate.js';

const variants = {
  rolling: { serving: 'fastapi', rollout: 'rolling' },
  canary: { serving: 'fastapi', rollout: 'canary' },
  kserve: { serving: 'kserve', rollout: 'rolling' },
} as const;
type Variant = keyof typeof variants;
const repos = {} as Record<Variant, string>;

beforeAll(async () => {
  for (const [variant, answers] of Object.entries(variants)) {
    repos[variant as Variant] = (await generateRepo({ name: 'svc', cloud: 'gcp', region: 'europe-west1', ...answers })).dir;
  }
}, 120_000);

const runPlanted = (variant: Variant, ...edits: PlantedEdit[]): Promise<CheckResult> => runPlantedIn(predictExposureCheck, repos[variant], edits);

const messages = (result: CheckResult) => result.findings.map((finding) => finding.message).join('\n');
const server = (variant: Variant) => `deploy/k8s/base/${variant === 'kserve' ? 'inferenceservice' : 'model-server'}.yaml`;

describe('practice.predict-exposure', () => {
  test.each(Object.keys(variants) as Variant[])('passes on a fresh %s repository', async (variant) => {
    const result = await runPlanted(variant);
    expect(result.findings).toEqual([]);
    expect(result.status).toBe('passed');
  });

  test('an Ingress that routes / (every route public) fails, naming the file and line', async () => {
    const result = await runPlanted('rolling', ['deploy/k8s/base/ingress.yaml', /path: \/predict\n(\s+)pathType: Exact/, 'path: /\n$1pathType: Prefix']);
    expect(result.status).toBe('failed');
    expect(messages(result)).toMatch(/Ingress svc publishes \/ \(Prefix\): only \/predict \(Exact\)/);
    expect(result.findings[0]!.file).toBe('deploy/k8s/base/ingress.yaml');
    expect(result.findings[0]!.line).toBeGreaterThan(1);
  });

  test.each(Object.keys(variants) as Variant[])('no API key file fails (%s)', async (variant) => {
    const result = await runPlanted(variant, [server(variant), /SVC_API_KEYS_FILE/, 'SVC_API_KEYS_PATH']);
    expect(messages(result)).toMatch(/does not set SVC_API_KEYS_FILE: \/predict answers anyone/);
  });

  test('a key file outside the mounted Secret fails', async () => {
    const result = await runPlanted('canary', [server('canary'), /value: \/etc\/svc\/api-keys\/keys/, 'value: /tmp/keys']);
    expect(messages(result)).toMatch(/reads its API keys from \/tmp\/keys, which is not in a mounted Secret volume/);
  });

  test('a key file whose volume is not a Secret fails', async () => {
    const result = await runPlanted('rolling', [server('rolling'), /secret:\n(\s+)secretName: svc-api-keys\n\s+defaultMode: .*\n/, 'emptyDir: {}\n']);
    expect(messages(result)).toMatch(/not in a mounted Secret volume/);
  });

  test('/docs left on in the cluster fails', async () => {
    const result = await runPlanted('kserve', [server('kserve'), /(SVC_DOCS_ENABLED\n\s+value: )"false"/, '$1"true"']);
    expect(messages(result)).toMatch(/serves \/docs, \/redoc and \/openapi.json \(SVC_DOCS_ENABLED is not "false"\)/);
  });
});
