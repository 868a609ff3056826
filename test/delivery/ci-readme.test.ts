// The README section of the CI helper (templates/partials/readme-ci.hbs)
// documents every secret, variable and environment the generated CI reads,
// for every combination, as `mlforge doctor`'s agreement check sees it; and
// the pinned action versions are full SHAs with a version comment.

import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentedCiInputsCheck } from '../../src/doctor/agreement/documented-ci-inputs.js';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import { deriveContext } from '../../src/derive.js';
import type { Answers } from '../../src/questions/table.js';
import { createRenderer } from '../../src/render/renderer.js';
import { coreMatrix, generateRepo, templates } from '../helpers/generate.js';

const combos: Array<Partial<Answers>> = [
  ...coreMatrix(),
  { ci: 'github', cloud: 'aws', monitoring: false, dvc: true },
  { ci: 'gitlab', cloud: 'gcp', monitoring: false, dvc: true },
];

async function readmeCiSection(answers: Answers): Promise<string> {
  const set = await templates();
  const context = { ...deriveContext(answers, set.versions, '0.0.0-test'), fileTree: '' };
  return createRenderer(set.partials).compile('readme-ci', '{{> readme-ci}}')(context);
}

describe.each(combos)('README CI section for %o', (combo) => {
  it('documents every CI input the workflows read', async () => {
    const { dir, plan } = await generateRepo(combo);
    try {
      const section = await readmeCiSection(plan.answers);
      expect(section).toMatch(/^## CI\/CD/);
      expect(section).not.toMatch(/\{\{|\}\}/);
      const repo = await loadRepoView(dir);
      const withSection = { ...repo, read: async (path: string) => (path === 'README.md' ? section : repo.read(path)) };
      const result = await documentedCiInputsCheck.run(withSection);
      expect(result.findings).toEqual([]);
      expect(result.status).toBe('passed');
      if (plan.answers.cloud !== 'local') expect(section).toMatch(/Rollback/);
    } finally {
      await rm(dirname(dir), { recursive: true, force: true });
    }
  });
});

describe('pinned action versions', () => {
  it('are owner/repo@<40-hex SHA> # vX.Y.Z', async () => {
    const actions = (await templates()).versions.actions!;
    const pinned = Object.entries(actions).filter(([, value]) => typeof value === 'string' && value.includes('@'));
    expect(pinned.length).toBeGreaterThan(10);
    for (const [key, value] of pinned) expect(value, key).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });
});
