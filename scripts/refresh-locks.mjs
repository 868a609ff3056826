#!/usr/bin/env node
// Re-resolves the uv.lock of every dependency set (scripts/lock-sets.mjs) and
// rewrites the lock store templates/versions/locks.yml. For each set it
// generates a repository with the built CLI (so the pyproject.toml is exactly
// what users get, with its current lock as uv's preferences), runs `uv lock`
// with that set's Python, and stores the result. Run it after changing
// templates/files/pyproject.toml or templates/versions/service.yml, then commit
// the store; test/unit/uv-lock.test.ts fails while a lock is stale.
//
//   node scripts/refresh-locks.mjs [--upgrade] [--only KEY]
//
// --upgrade lets uv move every package to its newest allowed version
// (otherwise versions already locked are kept). Needs uv and Python 3.11-3.13
// (pyenv, python3.X on PATH or MLFORGE_PYTHON_3_12=...).

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { addToStore, lockProjectName, lockSets } from './lock-sets.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const storeFile = join(root, 'templates', 'versions', 'locks.yml');
const { values: options } = parseArgs({ options: { upgrade: { type: 'boolean', default: false }, only: { type: 'string' } } });

/** An interpreter of `version`: MLFORGE_PYTHON_3_12, pyenv's newest 3.12.x, then python3.12 on PATH. */
export function findPython(version) {
  const fromEnv = process.env[`MLFORGE_PYTHON_${version.replace('.', '_')}`];
  if (fromEnv) return fromEnv;
  const pyenv = join(process.env.PYENV_ROOT ?? '/root/.pyenv', 'versions');
  const installed = existsSync(pyenv) ? readdirSync(pyenv).filter((name) => name.startsWith(`${version}.`)).sort().reverse() : [];
  return installed.length > 0 ? join(pyenv, installed[0], 'bin', 'python') : `python${version}`;
}



async function main() {
  const previousText = existsSync(storeFile) ? await readFile(storeFile, 'utf8') : '';
  const previous = previousText ? parse(previousText) : { project: lockProjectName, packages: {}, sets: {} };
  const sets = lockSets().filter((set) => !options.only || set.key === options.only);
  // A set the store does not know yet gets a lock holding only the project, so the CLI can
  // generate its repository; uv lock then resolves it from scratch.
  const seeded = { ...previous, packages: { ...previous.packages }, sets: { ...previous.sets } };
  for (const set of lockSets()) {
    if (seeded.sets[set.key]) continue;
    addToStore(seeded, set.key, `version = 1\nrevision = 3\nrequires-python = ">=${set.python}"\n\n[[package]]\nname = "${lockProjectName}"\nversion = "0.1.0"\nsource = { editable = "." }\n`);
  }
  await writeStore(seeded);
  build();
  const next = { project: lockProjectName, packages: {}, sets: {} };
  const work = await mkdtemp(join(tmpdir(), 'mlforge-locks-'));
  try {
    for (const set of lockSets()) {
      if (!sets.some((chosen) => chosen.key === set.key)) {
        addToStore(next, set.key, composeStored(seeded, set.key));
        continue;
      }
      const dir = join(work, set.key);
      const args = ['new', dir, '--yes', '--no-git', '--quiet', '--name', lockProjectName, '--python', set.python, '--cloud', set.cloud, set.dvc ? '--dvc' : '--no-dvc'];
      execFileSync(process.execPath, [join(root, 'bin', 'mlforge.js'), ...args], { stdio: 'inherit' });
      const started = Date.now();
      execFileSync('uv', ['lock', ...(options.upgrade ? ['--upgrade'] : []), '--quiet'], {
        cwd: dir,
        stdio: 'inherit',
        env: { ...process.env, UV_PYTHON: findPython(set.python), UV_PYTHON_DOWNLOADS: 'never' },
      });
      addToStore(next, set.key, await readFile(join(dir, 'uv.lock'), 'utf8'));
      process.stderr.write(`locked ${set.key} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  // Other sets of the store (the MLflow server image's requirements, scripts/refresh-mlflow-server-locks.mjs) stay.
  for (const key of Object.keys(previous.sets)) {
    if (next.sets[key] || lockSets().some((set) => set.key === key)) continue;
    next.sets[key] = previous.sets[key];
    for (const id of previous.sets[key].packages) next.packages[id] = previous.packages[id];
  }
  await writeStore(next);
  build();
  const changed = JSON.stringify(previous.sets) !== JSON.stringify(next.sets);
  process.stderr.write(`${Object.keys(next.sets).length} locks, ${Object.keys(next.packages).length} unique package blocks; ${changed ? 'store updated' : 'unchanged'}\n`);
}

/** The lock text of a stored set, with the stored project name (as it was resolved). */
function composeStored(store, key) {
  const set = store.sets[key];
  return `${[set.header, ...set.packages.map((id) => store.packages[id])].join('\n\n')}\n`;
}

async function writeStore(store) {
  const sorted = { project: store.project, packages: Object.fromEntries(Object.entries(store.packages).sort(([a], [b]) => (a < b ? -1 : 1))), sets: Object.fromEntries(Object.entries(store.sets).sort(([a], [b]) => (a < b ? -1 : 1))) };
  const text = stringify(sorted, { blockQuote: 'literal', lineWidth: 0 });
  await writeFile(storeFile, `# uv.lock of every dependency set of a generated repository, resolved together and tested by\n# mlforge's CI. Written by scripts/refresh-locks.mjs (format: scripts/lock-sets.mjs); do not edit.\n${text}`);
}

function build() {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
}

await main();
