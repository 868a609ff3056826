// Cold-process benchmark of the CLI, in ONE interleaved run: each round times
// every case once, in a rotating order, so drift in machine load hits all of
// them alike. Each case is reported as the median of its per-round ratios to
// `node -e 0` of the same round, with the p25-p75 spread of those ratios.
//
// "floor" is a plain node script that writes the same files as
// `mlforge new --yes --no-git` (generated once by the CLI, replayed from a
// module literal) and hashes each: what any generator has to pay at least.
// Goals are checked and printed, never asserted.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.env.BENCH_RUNS ?? 21);
const doctorRuns = Math.min(runs, Number(process.env.BENCH_DOCTOR_RUNS ?? 5));
// The package's command, as users run it.
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const bin = fileURLToPath(new URL(`../${pkg.bin.mlforge}`, import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'mlforge-bench-'));
const env = { ...process.env, NO_COLOR: '1' };

function run(args, what) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${what}: node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

/** The floor script: every file of a generated repository as data, written and hashed, nothing else. */
function writeFloorScript(repo, file) {
  const entries = readdirSync(repo, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
    .map((absolute) => [relative(repo, absolute), readFileSync(absolute, 'utf8'), statSync(absolute).mode & 0o777]);
  const source = `import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
const files = ${JSON.stringify(entries)};
const target = process.argv[2];
const made = new Set();
const hashes = [];
for (const [path, contents, mode] of files) {
  const dir = dirname(join(target, path));
  if (!made.has(dir)) { mkdirSync(dir, { recursive: true }); made.add(dir); }
  writeFileSync(join(target, path), contents, { mode });
  hashes.push(createHash('sha256').update(contents).digest('hex'));
}
`;
  writeFileSync(file, source);
  return entries.length;
}

// `update --help` of a build without the command prints the top-level help (exit 0): look for its own usage line.
const updateHelp = spawnSync(process.execPath, [bin, 'update', '--help'], { encoding: 'utf8', env });
const canUpdate = updateHelp.status === 0 && /Usage: mlforge update/.test(updateHelp.stdout);

// Setup, untimed: the reference repository for the floor, and fresh repositories (with git) for doctor and update.
const fileCount = writeFloorScript(
  (run([bin, 'new', join(scratch, 'reference'), '--yes', '--no-git', '--quiet'], 'setup'), join(scratch, 'reference')),
  join(scratch, 'floor.mjs'),
);
run([bin, 'new', join(scratch, 'fresh'), '--yes', '--quiet'], 'setup');

let round = 0;
const dir = (name) => join(scratch, `r${round}`, name);
const cases = [
  { name: 'node -e 0', time: () => run(['-e', '0'], 'baseline') },
  { name: 'floor (plain node writes the files)', time: () => run([join(scratch, 'floor.mjs'), dir('floor')], 'floor') },
  { name: 'mlforge --version', goal: 1.2, time: () => run([bin, '--version'], '--version') },
  { name: 'mlforge new --yes --dry-run', goal: 1.3, time: () => run([bin, 'new', dir('dry'), '--yes', '--dry-run', '--quiet'], '--dry-run') },
  { name: 'mlforge new --yes --no-git', goal: 1.5, time: () => run([bin, 'new', dir('nogit'), '--yes', '--no-git', '--quiet'], 'new --no-git') },
  { name: 'mlforge new --yes (with git)', goal: 3, time: () => run([bin, 'new', dir('git'), '--yes', '--quiet'], 'new') },
  { name: 'mlforge doctor (fresh repository)', rounds: doctorRuns, time: () => run([bin, 'doctor', join(scratch, 'fresh'), '--quiet'], 'doctor') },
  ...(canUpdate ? [{ name: 'mlforge update (fresh repository)', time: () => run([bin, 'update', join(scratch, 'fresh')], 'update') }] : []),
];
const samples = new Map(cases.map((c) => [c.name, []]));

try {
  // Warm the file-system cache once, untimed.
  round = 'warm';
  for (const c of cases) if (c.rounds !== 0) c.time();
  for (round = 0; round < runs; round++) {
    mkdirSync(join(scratch, `r${round}`));
    const order = cases.map((_, index) => cases[(index + round) % cases.length]);
    const times = {};
    for (const c of order) if (round < (c.rounds ?? runs)) times[c.name] = c.time();
    for (const [name, ms] of Object.entries(times)) samples.get(name).push({ ms, ratio: ms / times['node -e 0'] });
    rmSync(join(scratch, `r${round}`), { recursive: true, force: true });
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.ceil(at)] - sorted[low]) * (at - low);
};

console.log(`cold start, ${runs} interleaved rounds (doctor: ${doctorRuns}); ${fileCount} files; ratios are per-round ratios to node -e 0`);
console.log(`${'case'.padEnd(36)} ${'median ms'.padStart(9)}  ${'ratio'.padStart(7)}  ${'p25-p75'.padStart(11)}  goal`);
for (const c of cases) {
  const values = samples.get(c.name);
  if (values.length === 0) {
    console.log(`${c.name.padEnd(36)} not run (BENCH_DOCTOR_RUNS=0)`);
    continue;
  }
  const ms = quantile(values.map((v) => v.ms), 0.5);
  const ratios = values.map((v) => v.ratio);
  const ratio = quantile(ratios, 0.5);
  const spread = `${quantile(ratios, 0.25).toFixed(2)}-${quantile(ratios, 0.75).toFixed(2)}`;
  const verdict = c.name === 'node -e 0' ? 'baseline' : c.goal === undefined ? '' : `${ratio <= c.goal ? 'meets' : 'MISSES'} <= ${c.goal}x`;
  console.log(`${c.name.padEnd(36)} ${ms.toFixed(1).padStart(9)}  ${ratio.toFixed(2).padStart(6)}x  ${spread.padStart(11)}  ${verdict}`);
}
if (!canUpdate) console.log('update: not available in this build');
const medianMs = (name) => quantile(samples.get(name).map((v) => v.ms), 0.5);
if (doctorRuns > 0) console.log(`doctor / new --yes (with git): ${(medianMs('mlforge doctor (fresh repository)') / medianMs('mlforge new --yes (with git)')).toFixed(1)}x`);
if (canUpdate) console.log(`update / new --yes (with git): ${(medianMs('mlforge update (fresh repository)') / medianMs('mlforge new --yes (with git)')).toFixed(2)}x`);
