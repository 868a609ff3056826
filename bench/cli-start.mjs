// Cold-process start-up benchmark: `mlforge --version` and a full
// `mlforge new <tmp> --yes --no-git`, against a bare `node -e 0` measured in
// the same run. Reports medians and ratios; targets are checked, not asserted.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.env.BENCH_RUNS ?? 15);
const bin = fileURLToPath(new URL('../bin/mlforge.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'mlforge-bench-'));

function time(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const cases = {
  'node -e 0': () => time(['-e', '0']),
  'mlforge --version': () => time([bin, '--version']),
  'mlforge new --yes --no-git': (i) => time([bin, 'new', join(scratch, `svc-${i}`), '--yes', '--no-git', '--quiet']),
};
const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));

// Warm the file-system cache once, then interleave the cases so drift in machine load hits all of them alike.
for (const run of Object.values(cases)) run('warm');
for (let i = 0; i < runs; i++) for (const [name, run] of Object.entries(cases)) samples[name].push(run(i));
rmSync(scratch, { recursive: true, force: true });

const baseline = median(samples['node -e 0']);
const targets = { 'mlforge --version': 1.3, 'mlforge new --yes --no-git': 2.0 };
console.log(`cold start, ${runs} runs each, median wall time (ms) and ratio to bare node`);
console.log('case                         median   ratio  target');
for (const [name, values] of Object.entries(samples)) {
  const m = median(values);
  const ratio = m / baseline;
  const target = targets[name];
  const verdict = target === undefined ? 'baseline' : `${ratio <= target ? 'meets' : 'MISSES'} <= ${target}x`;
  console.log(`${name.padEnd(28)} ${m.toFixed(1).padStart(7)}  ${ratio.toFixed(2).padStart(5)}x  ${verdict}`);
}
