#!/usr/bin/env node
// Wall time of `mlforge update` on a default repository, as a ratio to `mlforge new`
// measured in the same interleaved run: a no-op update, and one that changes
// files (`--set description=...`, which touches README, pyproject and more),
// reset with git between rounds. Medians of ROUNDS (default 9).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = new URL('../bin/mlforge.js', import.meta.url).pathname;
const rounds = Number(process.env.ROUNDS ?? 9);
const scratch = mkdtempSync(join(tmpdir(), 'mlforge-bench-update-'));
const repo = join(scratch, 'bench-svc');
const env = { ...process.env, NO_COLOR: '1' };
const time = (args, cwd) => {
  const start = process.hrtime.bigint();
  execFileSync('node', [bin, ...args], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const git = (args) => execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@localhost', ...args], { cwd: repo, stdio: 'ignore' });
try {
  execFileSync('node', [bin, 'new', repo, '--yes', '-q'], { env });
  const samples = { new: [], noop: [], changes: [] };
  for (let round = 0; round < rounds; round++) {
    const fresh = join(scratch, `new-${round}`);
    samples.new.push(time(['new', fresh, '--yes', '--no-git', '-q']));
    rmSync(fresh, { recursive: true, force: true });
    samples.noop.push(time(['update', '-q'], repo));
    samples.changes.push(time(['update', '-q', '--set', `description=Round ${round} of the benchmark`], repo));
    git(['checkout', '-q', '--', '.']);
  }
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const base = median(samples.new);
  for (const [name, list] of Object.entries(samples)) {
    console.log(`${name.padEnd(8)} median ${median(list).toFixed(0).padStart(5)} ms  ${(median(list) / base).toFixed(2)}x new`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
