#!/usr/bin/env node
// Re-resolves deploy/mlflow/requirements.txt, the MLflow server image's hashed
// requirements, for every cloud and stores them in templates/versions/locks.yml
// as the sets mlflow-server-<cloud> (src/plan/mlflow-server-lock.ts). For each
// cloud it generates a repository with the built CLI and runs, in its
// deploy/mlflow, the very command its requirements.in gives users, so what
// mlforge ships is what a user's re-resolution gives. Run it after
// changing mlflowServer in templates/versions/service.yml or
// templates/files/deploy/mlflow/requirements.in, then commit the store.
//
//   node scripts/refresh-mlflow-server-locks.mjs [--upgrade]
//
// Without --upgrade, the current pins are uv's preferences (it keeps what it can).

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { blockId, clouds, mlflowServerSetKey as setKey } from './lock-sets.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const storeFile = join(root, 'templates', 'versions', 'locks.yml');
const { values: options } = parseArgs({ options: { upgrade: { type: 'boolean', default: false } } });

/** Mirrors splitRequirements of src/plan/mlflow-server-lock.ts. */
function splitRequirements(text) {
  const lines = text.replace(/\n+$/, '').split('\n');
  let first = 0;
  while (first < lines.length && (lines[first].startsWith('#') || lines[first] === '')) first++;
  const blocks = [];
  for (const line of lines.slice(first)) {
    if (/^\s/.test(line) && blocks.length > 0) blocks[blocks.length - 1] += `\n${line}`;
    else blocks.push(line);
  }
  return { header: lines.slice(0, first).join('\n').replace(/\n+$/, ''), blocks };
}

async function main() {
  const text = await readFile(storeFile, 'utf8');
  const comment = text.slice(0, text.indexOf('\nproject:') + 1);
  const store = parse(text);
  const work = await mkdtemp(join(tmpdir(), 'mlforge-mlflow-server-locks-'));
  try {
    // The repositories are generated from the current store (a cloud without a set yet renders
    // an empty requirements.txt, which uv then resolves from scratch).
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
    for (const cloud of clouds) {
      const dir = join(work, cloud);
      execFileSync(process.execPath, [join(root, 'bin', 'mlforge.js'), 'new', dir, '--yes', '--no-git', '--quiet', '--name', 'lockset', '--cloud', cloud], { stdio: 'inherit' });
      const folder = join(dir, 'deploy', 'mlflow');
      const command = /^#\s+(uv pip compile .*)$/m.exec(await readFile(join(folder, 'requirements.in'), 'utf8'))?.[1];
      if (!command) throw new Error('deploy/mlflow/requirements.in names no `uv pip compile` command');
      const args = command.split(/\s+/).slice(1);
      const started = Date.now();
      execFileSync('uv', [...args, ...(options.upgrade ? ['--upgrade'] : []), '--quiet'], { cwd: folder, stdio: 'inherit', env: { ...process.env, UV_PYTHON_DOWNLOADS: 'never' } });
      const { header, blocks } = splitRequirements(await readFile(join(folder, 'requirements.txt'), 'utf8'));
      const ids = blocks.map((block) => {
        const id = blockId(block);
        store.packages[id] = block;
        return id;
      });
      store.sets[setKey(cloud)] = { header, packages: ids };
      process.stderr.write(`resolved ${setKey(cloud)}: ${blocks.length} packages (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  // Blocks no set names any more go.
  const used = new Set(Object.values(store.sets).flatMap((set) => set.packages));
  const packages = Object.fromEntries(Object.entries(store.packages).filter(([id]) => used.has(id)).sort(([a], [b]) => (a < b ? -1 : 1)));
  const sets = Object.fromEntries(Object.entries(store.sets).sort(([a], [b]) => (a < b ? -1 : 1)));
  await writeFile(storeFile, `${comment}${stringify({ project: store.project, packages, sets }, { blockQuote: 'literal', lineWidth: 0 })}`);
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
}

await main();
