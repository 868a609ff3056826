// Capabilities `mlforge add <name>` / `mlforge add --no-<name>` turn on and
// off, declared once, next to the questions table, as answer changes.

import type { Answers } from './table.js';

export interface Capability {
  name: string;
  description: string;
  on: Partial<Answers>;
  off: Partial<Answers>;
}

export const capabilities: readonly Capability[] = [
  { name: 'monitoring', description: 'Prometheus, Grafana, alerts and the drift CronJob', on: { monitoring: true }, off: { monitoring: false } },
  { name: 'dvc', description: 'DVC pipeline and remote', on: { dvc: true }, off: { dvc: false } },
  { name: 'gpu', description: 'CUDA image, GPU requests and node pool', on: { gpu: true }, off: { gpu: false } },
  { name: 'canary', description: 'Argo Rollouts canary (rollout canary)', on: { rollout: 'canary' }, off: { rollout: 'rolling' } },
  { name: 'kserve', description: 'KServe InferenceService (serving kserve)', on: { serving: 'kserve' }, off: { serving: 'fastapi' } },
  { name: 'gitlab', description: 'GitLab CI instead of GitHub Actions (ci gitlab)', on: { ci: 'gitlab' }, off: { ci: 'github' } },
  { name: 'github', description: 'GitHub Actions instead of GitLab CI (ci github)', on: { ci: 'github' }, off: { ci: 'gitlab' } },
];

export function capabilityFor(name: string): Capability | undefined {
  return capabilities.find((capability) => capability.name === name);
}
