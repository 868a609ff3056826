// Repositories generated with dense hostile description and author still
// pass every doctor check that the same repository with plain text passes:
// hostile input adds no failure (validators included) in any combination.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import { runDoctor } from '../../src/doctor/run-doctor.js';
import type { CheckResult } from '../../src/doctor/types.js';
import type { Answers } from '../../src/questions/table.js';
import { writePlan } from '../../src/write/write-plan.js';
import { planFor } from '../helpers/generate.js';

const description =
  `"Quoted" start: \${{ secrets.TOKEN }} $CI_JOB_TOKEN {{name}} \\{{x}} {% raw %} &a *a !!str ? - | > # c: ` +
  `$(id) \`id\` \\ C:\\tmp \${var.x} %{ if } $\${y} """ ''' <b>yes</b> null 0x1F 🚀 שלום a\u061Cb`;
const author = `'O'Brien' & "Co" \${{ github.actor }} \\ # : {{x}} $HOME ~ yes`;

const combinations: Array<Partial<Answers>> = [
  { cloud: 'aws', ci: 'github', serving: 'fastapi', rollout: 'canary', monitoring: true, dvc: true },
  { cloud: 'gcp', ci: 'gitlab', serving: 'kserve', monitoring: true, gpu: true },
  { cloud: 'azure', ci: 'gitlab', serving: 'fastapi', rollout: 'rolling', monitoring: false, dvc: true },
  { cloud: 'local', ci: 'github', serving: 'fastapi', rollout: 'canary', monitoring: true },
];

async function doctorFailures(answers: Partial<Answers>): Promise<string[]> {
  const plan = await planFor({ name: 'hostile-svc', ...answers });
  const dir = join(await mkdtemp(join(tmpdir(), 'mlforge-hostile-doctor-')), 'hostile-svc');
  await writePlan(plan, dir, { force: false });
  const results: CheckResult[] = await runDoctor(await loadRepoView(dir), { concurrency: 2 });
  return results
    .filter((result) => result.status === 'failed')
    .flatMap((result) =>
      result.findings.length === 0
        ? [`${result.id}: ${result.reason ?? 'failed'}`]
        : result.findings.map((finding) => `${result.id}: ${finding.file}: ${finding.message}`),
    );
}

describe.each(combinations)('hostile free text, $cloud $ci $serving', (combination) => {
  it('adds no doctor failure over the same repository with plain text', { timeout: 600_000 }, async () => {
    expect(description.length).toBeLessThanOrEqual(200);
    expect(author.length).toBeLessThanOrEqual(100);
    const plain = new Set(await doctorFailures({ ...combination, description: 'A plain description.', author: 'Plain Author' }));
    const hostile = await doctorFailures({ ...combination, description, author });
    expect(hostile.filter((failure) => !plain.has(failure))).toEqual([]);
  });
});
