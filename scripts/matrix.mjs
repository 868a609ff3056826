#!/usr/bin/env node
// The option-matrix run: generates every row of scripts/matrix-plan.mjs with
// the built CLI, runs `mlforge doctor --json` on each (two at a time by
// default: doctor's validators already use both cores), prints a summary
// table, and exits 1 when any generation or doctor check failed.
//
//   node scripts/matrix.mjs [--jobs N] [--only SUBSTRING] [--out DIR] [--keep] [--list] [--python]
//
// --out/--keep keep the generated repositories; matrix-result.json in the
// output directory lists every row, its directory and the representative
// subset (every Python version, serving, CI, cloud, DVC and GPU on/off). --python then runs the
// generated repositories' own `make install` (uv, real dependencies) and `make check` on that subset, through
// test/matrix/python-subset.test.ts.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { matrixRows, newArgs, representativeSubset, summaryTable } from './matrix-plan.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'mlforge.js');

const { values: options } = parseArgs({
  options: {
    jobs: { type: 'string', default: '2' },
    only: { type: 'string' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    python: { type: 'boolean', default: false },
  },
});

function mlforge(args) {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' }, timeout: 900_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

async function runRow(row, out) {
  const started = performance.now();
  const directory = join(out, row.name);
  const result = { row, directory, ok: false };
  const finish = (extra) => ({ ...result, ...extra, seconds: (performance.now() - started) / 1000 });
  const generated = await mlforge(newArgs(row, directory));
  if (generated.code !== 0) return finish({ error: `new exited ${generated.code}: ${generated.stderr.trim().split('\n').pop()}` });
  const files = JSON.parse(generated.stdout).files.length;
  const doctor = await mlforge(['doctor', directory, '--json']);
  let report;
  try {
    report = JSON.parse(doctor.stdout);
  } catch {
    return finish({ files, error: `doctor exited ${doctor.code} without a JSON report: ${doctor.stderr.trim().split('\n').pop()}` });
  }
  const failedChecks = report.checks.filter((check) => check.status === 'failed');
  return finish({ files, doctor: report.summary, failedChecks, ok: doctor.code === 0 && failedChecks.length === 0 });
}

async function pool(items, jobs, work) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
      const r = results[index];
      process.stderr.write(`${r.ok ? 'ok    ' : 'FAILED'} ${r.row.name} (${r.seconds.toFixed(1)} s)\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return results;
}

async function main() {
  if (!existsSync(join(root, 'dist', 'cli.js'))) {
    process.stderr.write('matrix: dist/cli.js is missing; run `npm run build` first.\n');
    return 2;
  }
  const rows = matrixRows().filter((row) => !options.only || row.name.includes(options.only));
  const subset = representativeSubset(rows).map((row) => row.name);
  if (options.list) {
    for (const row of rows) process.stdout.write(`${row.name}  ${newArgs(row, row.name).slice(1).join(' ')}${subset.includes(row.name) ? '  [python subset]' : ''}\n`);
    return 0;
  }
  const jobs = Math.max(1, Number(options.jobs) || 2);
  const out = options.out ? resolve(options.out) : await mkdtemp(join(tmpdir(), 'mlforge-matrix-'));
  await mkdir(out, { recursive: true });
  process.stderr.write(`matrix: ${rows.length} combinations, ${jobs} at a time, in ${out}\n`);
  const started = performance.now();
  const results = await pool(rows, jobs, (row) => runRow(row, out));
  const seconds = (performance.now() - started) / 1000;

  process.stdout.write(`\n${summaryTable(results)}\n\n`);
  const failures = results.filter((r) => !r.ok);
  for (const r of failures) {
    process.stdout.write(`${r.row.name}: ${r.error ?? 'doctor failed'}\n`);
    for (const check of r.failedChecks ?? []) {
      const finding = check.findings[0];
      const where = finding ? ` ${finding.file}${finding.line ? `:${finding.line}` : ''}: ${finding.message}` : ` ${check.reason ?? ''}`;
      process.stdout.write(`  - ${check.id}${where}${check.findings.length > 1 ? ` (+${check.findings.length - 1} more)` : ''}\n`);
    }
  }
  process.stdout.write(`${results.length - failures.length}/${results.length} combinations passed in ${seconds.toFixed(0)} s (${jobs} at a time).\n`);
  process.stdout.write(`Python checks subset: ${subset.join(', ')}\n`);

  let pythonOk = true;
  if (options.python) {
    process.stdout.write('\nPython checks (make check) on the subset:\n');
    const python = await runPythonSubset();
    pythonOk = python.code === 0;
    process.stdout.write(`${python.summary}\nPython subset: ${pythonOk ? 'passed' : `FAILED (exit ${python.code})`}\n`);
  }

  const keep = options.keep || options.out !== undefined;
  if (keep) {
    const summary = { seconds, rows: results.map(({ row, directory, ok, files, doctor, seconds: s, error }) => ({ ...row, directory, ok, files, doctor, seconds: s, error })), pythonSubset: subset.map((name) => join(out, name)) };
    await writeFile(join(out, 'matrix-result.json'), `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(`Repositories and matrix-result.json kept in ${out}\n`);
  } else {
    await rm(out, { recursive: true, force: true });
  }
  return failures.length === 0 && pythonOk ? 0 : 1;
}

/** Runs the Python-subset test file with vitest; returns its exit code and the per-test lines. */
function runPythonSubset() {
  return new Promise((done) => {
    const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
    execFile(
      process.execPath,
      [vitest, 'run', 'test/matrix/python-subset.test.ts', '--reporter=verbose'],
      { cwd: root, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, MLFORGE_MATRIX_PYTHON: '1', NO_COLOR: '1', FORCE_COLOR: '0' }, timeout: 3_600_000 },
      (error, stdout) => {
        const lines = stdout.split('\n').filter((line) => /[✓×↓]|skipped:|Tests /.test(line));
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, summary: lines.join('\n') });
      },
    );
  });
}

process.exitCode = await main();
