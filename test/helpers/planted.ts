// Runs one doctor rule on a copy of a generated repository with mistakes
// planted into it: each `[file, from, to]` edit must change its file.

import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import { runCheck } from '../../src/doctor/run-doctor.js';
import type { CheckResult, Rule } from '../../src/doctor/types.js';

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
