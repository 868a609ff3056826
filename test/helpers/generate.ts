// Test helper: plan and write a repository for given answers, without the CLI.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planProject, type Plan } from '../../src/plan/plan-project.js';
import { questions, type Answers } from '../../src/questions/table.js';
import { defaultTemplatesRoot, loadTemplateSet, type TemplateSet } from '../../src/render/template-set.js';
import { writePlan } from '../../src/write/write-plan.js';

let cached: Promise<TemplateSet> | undefined;
export function templates(): Promise<TemplateSet> {
  cached ??= loadTemplateSet(defaultTemplatesRoot());
  return cached;
}

/** Defaults for every answer, overridden by `overrides`, with inapplicable answers fixed up. */
export function answersWith(overrides: Partial<Answers> = {}): Answers {
  const answers: Partial<Answers> = {};
  for (const question of questions) {
    const applicable = question.when?.(answers) ?? true;
    const value = !applicable
      ? question.inapplicable
      : question.key in overrides
        ? overrides[question.key]
        : question.default(answers, {});
    (answers as Record<string, unknown>)[question.key] = value;
  }
  return answers as Answers;
}

export async function planFor(overrides: Partial<Answers> = {}): Promise<Plan> {
  return planProject(answersWith(overrides), await templates(), '0.0.0-test');
}

/** Writes the planned repository into a fresh temporary directory and returns its path. */
export async function generateRepo(overrides: Partial<Answers> = {}): Promise<{ dir: string; plan: Plan }> {
  const plan = await planFor(overrides);
  const dir = join(await mkdtemp(join(tmpdir(), 'mlforge-test-')), plan.answers.name);
  await writePlan(plan, dir, { force: false });
  return { dir, plan };
}

/** Every valid combination of cloud, CI, serving and rollout. */
export function coreMatrix(): Array<Pick<Answers, 'cloud' | 'ci' | 'serving' | 'rollout'>> {
  const combos: Array<Pick<Answers, 'cloud' | 'ci' | 'serving' | 'rollout'>> = [];
  for (const cloud of ['aws', 'gcp', 'azure', 'local'] as const)
    for (const ci of ['github', 'gitlab'] as const)
      for (const serving of ['fastapi', 'kserve'] as const)
        for (const rollout of serving === 'kserve' ? (['rolling'] as const) : (['rolling', 'canary'] as const))
          combos.push({ cloud, ci, serving, rollout });
  return combos;
}
