// Cold-process benchmark of the CLI, in ONE interleaved run: each round times
// every case once, in a rotating order, so drift in machine load hits all of
// them alike. Each case is reported as the median of its per-round ratios to
// `node -e 0` of the same round, with the p25-p75 spread of those ratios, for
// wall time and for CPU time (user + system of the child).
//
// "floor" is a plain node script that writes the same files as
// `mlforge new --yes --no-git` (generated once by the CLI, replayed from a
// module literal) and hashes each: what any generator has to pay at least.
// Goals are checked and printed, never asserted.
//
// BENCH_AGAINST=<another checkout or unpacked package> times its command too, as
// "base: ..." cases in the same rounds: before/after figures of one change come
// from one run, under the same load. BENCH_ONLY=<regex> keeps the cases whose
// names match (node -e 0 always runs).

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.env.BENCH_RUNS ?? 21);
const doctorRuns = Math.min(runs, Number(process.env.BENCH_DOCTOR_RUNS ?? 5));
// The package's command, as users run it.
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const bin = fileURLToPath(new URL(`../${pkg.bin.mlforge}`, import.meta.url));
const against = process.env.BENCH_AGAINST ? join(process.env.BENCH_AGAINST, pkg.bin.mlforge) : undefined;
const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
const scratch = mkdtempSync(join(tmpdir(), 'mlforge-bench-'));
const env = { ...process.env, NO_COLOR: '1' };

/**
 * Runs node with `args`; returns its wall time and CPU time (user + system) in ms, as bash's `time`
 * reports them for the child alone. CPU time is the steadier figure on a loaded machine: waiting
 * for a core is not in it.
 */
function run(args, what) {
  const errors = join(scratch, 'stderr.txt');
  const result = spawnSync('bash', ['-c', 'TIMEFORMAT="%3R %3U %3S"; time "$@" 2>"$MLFORGE_BENCH_STDERR"', 'bash', process.execPath, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...env, MLFORGE_BENCH_STDERR: errors },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${what}: node ${args.join(' ')} exited ${result.status}: ${readFileSync(errors, 'utf8')}${result.stderr}`);
  const [real, user, system] = result.stderr.trim().split(/\s+/).slice(-3).map(Number);
  return { ms: real * 1000, cpu: (user + system) * 1000 };
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
const canUpdate = (command) => {
  const help = spawnSync(process.execPath, [command, 'update', '--help'], { encoding: 'utf8', env });
  return help.status === 0 && /Usage: mlforge update/.test(help.stdout);
};

// Setup, untimed: the reference repository for the floor, and fresh repositories (with git) for doctor and update.
const fileCount = writeFloorScript(
  (run([bin, 'new', join(scratch, 'reference'), '--yes', '--no-git', '--quiet'], 'setup'), join(scratch, 'reference')),
  join(scratch, 'floor.mjs'),
);

let round = 0;
const dir = (name) => join(scratch, `r${round}`, name);
/** The timed cases of one build of the command; `label` prefixes their names and directories. */
function commandCases(command, label) {
  const fresh = join(scratch, `${label}fresh`);
  run([command, 'new', fresh, '--yes', '--quiet'], 'setup');
  const at = (name) => dir(`${label}${name}`);
  return [
    { name: 'mlforge --version', goal: 1.2, time: () => run([command, '--version'], '--version') },
    { name: 'mlforge new --yes --dry-run', goal: 1.3, time: () => run([command, 'new', at('dry'), '--yes', '--dry-run', '--quiet'], '--dry-run') },
    { name: 'mlforge new --yes --no-git', goal: 1.5, time: () => run([command, 'new', at('nogit'), '--yes', '--no-git', '--quiet'], 'new --no-git') },
    { name: 'mlforge new --yes (with git)', goal: 3, time: () => run([command, 'new', at('git'), '--yes', '--quiet'], 'new') },
    { name: 'mlforge doctor (fresh repository)', rounds: doctorRuns, time: () => run([command, 'doctor', fresh, '--quiet'], 'doctor') },
    ...(canUpdate(command) ? [{ name: 'mlforge update (fresh repository)', time: () => run([command, 'update', fresh], 'update') }] : []),
  ].map((c) => ({ ...c, name: label ? `${label}: ${c.name}` : c.name }));
}
const cases = [
  { name: 'node -e 0', time: () => run(['-e', '0'], 'baseline') },
  { name: 'floor (plain node writes the files)', time: () => run([join(scratch, 'floor.mjs'), dir('floor')], 'floor') },
  ...commandCases(bin, ''),
  ...(against ? commandCases(against, 'base') : []),
].filter((c) => c.name === 'node -e 0' || !only || only.test(c.name));
const startLoad = loadavg().map((l) => l.toFixed(2)).join(' ');
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
    const floor = times['node -e 0'];
    for (const [name, { ms, cpu }] of Object.entries(times)) samples.get(name).push({ ms, ratio: ms / floor.ms, cpu, cpuRatio: cpu / floor.cpu });
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

console.log(`load average at the start (${cpus().length} cores): ${startLoad}`);
console.log(`cold start, ${runs} interleaved rounds (doctor: ${doctorRuns}); ${fileCount} files; ratios are per-round ratios to node -e 0`);
console.log(`${'case'.padEnd(42)} ${'median ms'.padStart(9)}  ${'ratio'.padStart(7)}  ${'p25-p75'.padStart(11)}  ${'cpu ms'.padStart(7)}  ${'cpu ratio'.padStart(9)}  ${'p25-p75'.padStart(11)}  goal (wall ratio)`);
for (const c of cases) {
  const values = samples.get(c.name);
  if (values.length === 0) {
    console.log(`${c.name.padEnd(42)} not run (BENCH_DOCTOR_RUNS=0)`);
    continue;
  }
  const ms = quantile(values.map((v) => v.ms), 0.5);
  const ratios = values.map((v) => v.ratio);
  const ratio = quantile(ratios, 0.5);
  const spread = `${quantile(ratios, 0.25).toFixed(2)}-${quantile(ratios, 0.75).toFixed(2)}`;
  const cpuRatios = values.map((v) => v.cpuRatio);
  const cpu = `${quantile(values.map((v) => v.cpu), 0.5).toFixed(1).padStart(7)}  ${quantile(cpuRatios, 0.5).toFixed(2).padStart(8)}x  ${`${quantile(cpuRatios, 0.25).toFixed(2)}-${quantile(cpuRatios, 0.75).toFixed(2)}`.padStart(11)}`;
  const verdict = c.name === 'node -e 0' ? 'baseline' : c.goal === undefined ? '' : `${ratio <= c.goal ? 'meets' : 'MISSES'} <= ${c.goal}x`;
  console.log(`${c.name.padEnd(42)} ${ms.toFixed(1).padStart(9)}  ${ratio.toFixed(2).padStart(6)}x  ${spread.padStart(11)}  ${cpu}  ${verdict}`);
}
const has = (name) => (samples.get(name)?.length ?? 0) > 0;
if (!cases.some((c) => c.name === 'mlforge update (fresh repository)') && !only) console.log('update: not available in this build');
const medianMs = (name) => quantile(samples.get(name).map((v) => v.ms), 0.5);
for (const other of ['mlforge doctor (fresh repository)', 'mlforge update (fresh repository)']) {
  if (has(other) && has('mlforge new --yes (with git)')) {
    console.log(`${other.replace(/^mlforge | \(.*$/g, '')} / new --yes (with git): ${(medianMs(other) / medianMs('mlforge new --yes (with git)')).toFixed(2)}x`);
  }
}
console.log(`load average at the end (${cpus().length} cores): ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
