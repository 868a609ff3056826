// With --dvc: the repository's own `make pipeline` (dvc repro, with the dvc
// of its uv.lock from `make install`) runs prepare -> train -> evaluate, writes
// dvc.lock, skips every stage on a second run with nothing changed, re-runs
// only what a changed dependency invalidates, and `dvc push` stores the data
// in the local remote of .dvc/config (a directory beside the repository).

import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, expect, test } from 'vitest';
import { generateRepo } from '../helpers/generate.js';
import { makeInstall, type PythonEnv } from '../helpers/python-env.js';

let dir: string;
let project: PythonEnv;

beforeAll(async () => {
  ({ dir } = await generateRepo({ name: 'dvc-pipeline', python: '3.13', cloud: 'local', dvc: true }));
  const installed = await makeInstall(dir, '3.13');
  if (!installed.ok) throw new Error(installed.reason);
  project = installed.env;
  const git = (...args: string[]) => execa('git', args, { cwd: dir, env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } });
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'generated');
}, 1_500_000);

const make = async (target: string) => {
  const result = await execa('make', [target], { cwd: dir, reject: false, all: true, env: { ...project.makeEnv, MLFLOW_TRACKING_URI: '', GIT_SHA: 'test' }, timeout: 600_000 });
  expect(result.exitCode, `make ${target}:\n${String(result.all).slice(-3000)}`).toBe(0);
  return String(result.all);
};

test('make pipeline reproduces the DVC pipeline, locks it and pushes to the local remote', { timeout: 900_000 }, async () => {
  const first = await make('pipeline');
  for (const stage of ['prepare', 'train', 'evaluate']) expect(first).toContain(`Running stage '${stage}'`);
  const lock = parse(await readFile(join(dir, 'dvc.lock'), 'utf8')) as { stages: Record<string, { outs?: Array<{ path: string; md5: string }> }> };
  expect(Object.keys(lock.stages)).toEqual(['prepare', 'train', 'evaluate']);
  expect(lock.stages.prepare!.outs![0]).toMatchObject({ path: 'data/raw/dataset.csv', md5: expect.stringMatching(/^[0-9a-f]{32}$/) });
  expect(JSON.parse(await readFile(join(dir, 'reports', 'gate.json'), 'utf8'))).toMatchObject({ passed: true });

  const again = await make('pipeline');
  expect(again).not.toContain('Running stage');
  expect(again).toMatch(/up to date|didn't change, skipping/);

  // A change to the evaluation code re-runs evaluate only.
  const evaluatePy = join(dir, 'src', 'dvc_pipeline', 'evaluate.py');
  await writeFile(evaluatePy, `${await readFile(evaluatePy, 'utf8')}\n# changed\n`);
  const partial = await make('pipeline');
  expect(partial).toContain("Running stage 'evaluate'");
  expect(partial).not.toContain("Running stage 'train'");

  const dvc = join(project.dir, 'bin', 'dvc');
  const push = await execa(dvc, ['push'], { cwd: dir, reject: false, all: true });
  expect(push.exitCode, String(push.all)).toBe(0);
  const remote = join(dirname(dir), '.dvc-storage');
  expect(existsSync(remote)).toBe(true);
  const status = await execa(dvc, ['status', '--cloud'], { cwd: dir, reject: false, all: true });
  expect(status.exitCode, String(status.all)).toBe(0);
  expect(String(status.all)).toMatch(/in sync|up to date/i);
});
