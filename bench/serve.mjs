// Serving benchmark: generate a service, train its model, start it with
// uvicorn on loopback and drive it with wrk (bounded: fixed connections, fixed
// duration). Reports throughput and p50/p99 latency of POST /predict with one
// row and with 100 rows next to GET /health on the same server in the same
// run, and the ratio to /health (goal for one row: at least 90%), plus the
// server CPU per request (steadier than throughput on a shared machine).
// A benchmark, not a test: it prints numbers and never fails on them.
//
//   npm run bench:serve            (BENCH_SECONDS=5 BENCH_ROUNDS=3 BENCH_CONNECTIONS=8 BENCH_PYTHON=3.12)

import { execa } from 'execa';
import { build } from 'esbuild';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 8);
const name = 'bench-svc';
const packageName = 'bench_svc';
const envPrefix = 'BENCH_SVC_';
/** The default answer's Python (BENCH_PYTHON to choose another). */
const python = process.env.BENCH_PYTHON ?? '3.12';

const wrk = await execa('wrk', ['--version'], { reject: false }).catch(() => undefined);
if (!wrk || !/^wrk /.test(`${wrk.stdout}${wrk.stderr}`)) {
  console.log('skipped: wrk not available (Debian: apt-get install -y wrk)');
  process.exit(0);
}

const work = await mkdtemp(join(tmpdir(), 'mlforge-bench-'));
let service;
try {
  const helpers = await loadHelpers(work);
  const dir = join(work, name);
  await execa('node', [join(root, 'bin', 'mlforge.js'), 'new', dir, '--name', name, '--python', python, '--cloud', 'local', '--yes', '--no-git'], { cwd: work, reject: false }).then((result) => {
    if (result.exitCode !== 0) throw new Error(`mlforge new failed:\n${result.stderr || result.stdout}`);
  });
  // The repository's own `make install` (uv sync --locked), as the service suites install it.
  const installed = await helpers.makeInstall(dir, python);
  if (!installed.ok) {
    console.log(`skipped: ${installed.reason}`);
    process.exit(0);
  }
  const project = installed.env;
  for (const target of ['train', 'evaluate', 'promote']) {
    await execa('make', [target], { cwd: dir, env: { ...project.makeEnv, MLFLOW_TRACKING_URI: '' } });
  }
  const example = JSON.parse((await execa(project.python, ['-c', `import json; from ${packageName}.features import EXAMPLE_ROW; print(json.dumps(EXAMPLE_ROW))`])).stdout);
  const bodies = {
    one: join(work, 'one.json'),
    hundred: join(work, 'hundred.json'),
  };
  await writeFile(bodies.one, JSON.stringify({ rows: [example] }));
  await writeFile(bodies.hundred, JSON.stringify({ rows: Array.from({ length: 100 }, () => example) }));
  const script = join(work, 'post.lua');
  await writeFile(script, [
    'wrk.method = "POST"',
    'wrk.headers["Content-Type"] = "application/json"',
    'local file = io.open(os.getenv("BENCH_BODY"), "r")',
    'wrk.body = file:read("*a")',
    'file:close()',
  ].join('\n'));

  const scenarios = [
    { label: 'GET /health', path: '/health', args: [] },
    { label: 'POST /predict, 1 row', path: '/predict', args: ['-s', script], body: bodies.one, rows: 1 },
    { label: 'POST /predict, 100 rows', path: '/predict', args: ['-s', script], body: bodies.hundred, rows: 100 },
  ];
  // The service scores small linear batches in place and the rest in a worker thread;
  // the second configuration sends every batch to the thread pool, to show what that costs.
  const configurations = [
    { label: 'default settings', env: {} },
    { label: `${envPrefix}INLINE_MAX_ROWS=0 (every batch through the thread pool)`, env: { [`${envPrefix}INLINE_MAX_ROWS`]: '0' } },
    { label: `${envPrefix}LOG_LEVEL=WARNING (no access log line per prediction)`, env: { [`${envPrefix}LOG_LEVEL`]: 'WARNING' } },
  ];
  console.log(`wrk: ${connections} connections, 1 thread, ${seconds} s per scenario, ${rounds} rounds interleaved, one uvicorn worker; medians`);
  for (const configuration of configurations) {
    service = await helpers.startService(project.python, dir, `${packageName}.serving.app:app`, { env: configuration.env, logFile: join(work, 'service.log') });
    const rows = await measure(service, scenarios);
    await service.stop();
    service = undefined;
    console.log(`\n${configuration.label}`);
    console.table(rows);
    const ratio = Number.parseFloat(rows[1]['vs /health']);
    console.log(`one-row /predict throughput is ${ratio}% of /health's (goal: at least 90%): ${ratio >= 90 ? 'met' : 'not met'}`);
    const cpu = Number(rows[0]['server CPU µs/req']) / Number(rows[1]['server CPU µs/req']);
    console.log(`by server CPU per request, /health ÷ /predict (1 row) is ${(cpu * 100).toFixed(0)}% (goal: at least 90%): ${cpu >= 0.9 ? 'met' : 'not met'}`);
  }
} finally {
  if (service) await service.stop();
  await rm(work, { recursive: true, force: true });
}

async function measure(service, scenarios) {
  const samples = new Map(scenarios.map((scenario) => [scenario.label, []]));
  const cpu = async () => (await readFile(`/proc/${service.pid}/stat`, 'utf8')).split(') ')[1].split(' ').slice(11, 13).reduce((sum, ticks) => sum + Number(ticks), 0);
  for (let round = 0; round < rounds; round++) {
    for (const scenario of scenarios) {
      const before = await cpu();
      const run = await execa('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '2s', '--latency', ...scenario.args, `${service.url}${scenario.path}`], {
        env: scenario.body ? { BENCH_BODY: scenario.body } : {},
      });
      const sample = parseWrk(run.stdout);
      // Server CPU per request (clock ticks of 10 ms): steadier than throughput when neighbours share the machine.
      sample.cpuUs = ((await cpu()) - before) * 10_000 / sample.requests;
      samples.get(scenario.label).push(sample);
    }
  }
  const health = median(samples.get('GET /health').map((sample) => sample.rps));
  return scenarios.map((scenario) => {
    const runs = samples.get(scenario.label);
    const rps = median(runs.map((sample) => sample.rps));
    return {
      scenario: scenario.label,
      'requests/s': rps.toFixed(0),
      'rows/s': scenario.rows ? (rps * scenario.rows).toFixed(0) : '',
      'p50 ms': median(runs.map((sample) => sample.p50)).toFixed(2),
      'p99 ms': median(runs.map((sample) => sample.p99)).toFixed(2),
      'server CPU µs/req': median(runs.map((sample) => sample.cpuUs)).toFixed(0),
      'vs /health': `${((rps / health) * 100).toFixed(0)}%`,
      errors: runs.reduce((sum, sample) => sum + sample.failures, 0),
    };
  });
}

/** The TypeScript helpers the tests use, bundled on the fly (esbuild is a dev dependency). */
async function loadHelpers(work) {
  const outfile = join(work, 'helpers.mjs');
  await build({
    stdin: {
      contents: `export * from ${JSON.stringify(join(root, 'test/helpers/python-env.ts'))};\nexport * from ${JSON.stringify(join(root, 'test/service/service-process.ts'))};`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'warning',
    // import.meta.dirname of the helpers must still point into the repository.
    define: { 'import.meta.dirname': JSON.stringify(join(root, 'test', 'helpers')) },
  });
  // Resolve bare imports (execa, smol-toml) from the repository's node_modules.
  await writeFile(join(work, 'package.json'), '{"type": "module"}');
  await execa('ln', ['-s', join(root, 'node_modules'), join(work, 'node_modules')]);
  return import(pathToFileURL(outfile).href);
}

function parseWrk(output) {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]);
  const percentile = (p) => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(output);
    if (!match) return Number.NaN;
    const value = Number(match[1]);
    return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
  };
  // Non-2xx answers are counted, so a broken endpoint cannot look fast.
  const failures = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0) + Number(/Socket errors: .*timeout (\d+)/.exec(output)?.[1] ?? 0);
  if (!Number.isFinite(rps)) throw new Error(`cannot read wrk output:\n${output}`);
  const requests = Number(/(\d+) requests in/.exec(output)?.[1]);
  return { rps, requests, p50: percentile(50), p99: percentile(99), failures };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
