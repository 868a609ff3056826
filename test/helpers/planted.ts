// Runs one doctor rule on a copy of a generated repository with mistakes
// planted into it: each `[file, from, to]` edit must change its file.

import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import { runCheck } from '../../src/doctor/run-doctor.js';
import type { CheckResult, Rule } from '../../src/doctor/types.js';
import type { Answers } from '../../src/questions/table.js';
import { beforeAll } from 'vitest';
import { generateRepo } from './generate.js';

export type PlantedEdit = [file: string, from: string | RegExp, to: string];

export async function runPlanted(rule: Rule, source: string, edits: readonly PlantedEdit[]): Promise<CheckResult> {
  // The copy keeps the folder name: doctor reads the project name from it where .mlforge.yml does not say.
  const copy = join(await mkdtemp(join(tmpdir(), 'mlforge-planted-')), basename(source));
  await cp(source, copy, { recursive: true });
  for (const [file, from, to] of edits) {
    const text = await readFile(join(copy, file), 'utf8');
    const next = text.replace(from, to);
    if (next === text) throw new Error(`planting into ${file} changed nothing (${String(from)})`);
    await writeFile(join(copy, file), next);
  }
  return runCheck(rule, await loadRepoView(copy), 60_000);
}

/**
 * One repository per variant (project name `svc`, then the variant's answers), generated once
 * before the suite; the runner plants `edits` into a copy of a variant's repository and runs `rule`.
 */
export function plantedVariants<V extends string>(rule: Rule, variants: Record<V, Partial<Answers>>): (variant: V, ...edits: PlantedEdit[]) => Promise<CheckResult> {
  const repos = {} as Record<V, string>;
  beforeAll(async () => {
    for (const [variant, answers] of Object.entries(variants) as Array<[V, Partial<Answers>]>) repos[variant] = (await generateRepo({ name: 'svc', ...answers })).dir;
  }, 120_000);
  return (variant, ...edits) => runPlanted(rule, repos[variant], edits);
}

/** The findings' messages, one per line. */
export const findingMessages = (result: CheckResult): string => result.findings.map((finding) => finding.message).join('\n');
