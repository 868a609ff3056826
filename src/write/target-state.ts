// What is at the target path before anything is written.

import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';

export type TargetState =
  | { kind: 'missing' }
  | { kind: 'empty-directory' }
  | { kind: 'non-empty-directory'; entries: string[] }
  | { kind: 'not-a-directory' };

export async function inspectTarget(target: string): Promise<TargetState> {
  let stats: Stats;
  try {
    stats = await stat(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  if (!stats.isDirectory()) return { kind: 'not-a-directory' };
  const entries = (await readdir(target)).sort();
  return entries.length === 0 ? { kind: 'empty-directory' } : { kind: 'non-empty-directory', entries };
}
