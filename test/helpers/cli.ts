// Test helper: run the built CLI (bin/mlforge.js -> dist/) as users do.

import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const binPath = join(repoRoot, 'bin', 'mlforge.js');

export function assertBuilt(): void {
  if (!existsSync(join(repoRoot, 'dist', 'cli.js'))) {
    throw new Error('dist/cli.js is missing: run `npm run build` first (`npm test` does it for you)');
  }
}

/** Runs `mlforge ...args` without a terminal; never hangs (stdin closed, 60 s timeout). */
export function mlforge(args: string[], options: Options = {}) {
  return execa('node', [binPath, ...args], {
    reject: false,
    stdin: 'ignore',
    timeout: 60_000,
    env: { NO_COLOR: '1', ...options.env },
    ...options,
  } as Options);
}

export async function tempDir(prefix = 'mlforge-e2e-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** path -> sha256 of every file below dir (excluding .git), for before/after comparisons. */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    const full = join(entry.parentPath, entry.name);
    const rel = relative(dir, full);
    if (rel === '.git' || rel.startsWith('.git/')) continue;
    if (entry.isFile()) out[rel] = createHash('sha256').update(await readFile(full)).digest('hex');
    else if (entry.isDirectory()) out[`${rel}/`] = ((await stat(full)).mode & 0o777).toString(8);
  }
  return out;
}
