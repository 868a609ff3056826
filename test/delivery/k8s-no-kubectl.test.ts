// Without kubectl on PATH, every Kubernetes check says it was skipped and why;
// none passes silently. (Its own file: the kubectl probe is cached per module.)

import { afterAll, expect, it } from 'vitest';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import { kubernetesChecks } from '../../src/doctor/validators/kubernetes.js';
import { generateRepo } from '../helpers/generate.js';

const path = process.env.PATH;
afterAll(() => {
  process.env.PATH = path;
});

it('skips every Kubernetes check with the reason "kubectl not available (...)"', async () => {
  const repo = await loadRepoView((await generateRepo({ rollout: 'canary', monitoring: true })).dir);
  process.env.PATH = '/nonexistent';
  for (const check of kubernetesChecks) {
    expect(check.applies(repo)).toBe(true);
    expect(await check.run(repo)).toEqual({ status: 'skipped', reason: expect.stringMatching(/^kubectl not available \(not on PATH/), findings: [] });
  }
});
