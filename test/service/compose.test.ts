// The local stack's docker-compose.yml through a real Compose implementation:
// Debian's docker-compose 1.29 (`config -q` validates against the Compose
// Specification schema, resolves the YAML anchors and merge keys, the
// variable defaults and the service references). Its 2021 schema predates one
// key of today's specification, the top-level `name` (the project name), so
// that one line is removed from the copy it reads; the test says so. Compose
// v2 (`docker compose`) is not installable here. A planted mistake fails.

import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import type { Answers } from '../../src/questions/table.js';
import { generateRepo } from '../helpers/generate.js';

const compose = await execa('docker-compose', ['version', '--short'], { reject: false }).then((result) => (result.exitCode === 0 ? result.stdout.trim() : ''), () => '');
if (!compose) console.log('skipped: docker-compose is not installed (Debian package "docker-compose"; .ci/run installs it)');

/** `docker-compose config -q` on a copy of the repository's compose file without its top-level `name` (and the build contexts it names). */
async function config(dir: string, edit: (text: string) => string = (text) => text) {
  const text = edit(await readFile(join(dir, 'docker-compose.yml'), 'utf8'));
  const name = /^name: [a-z0-9-]+\n/m;
  expect(text, 'the file names its project').toMatch(name);
  const copy = await mkdtemp(join(tmpdir(), 'mlforge-compose-'));
  await writeFile(join(copy, 'docker-compose.yml'), text.replace(name, ''));
  // Build contexts must exist: the MLflow server's (deploy/mlflow) comes along.
  await cp(join(dir, 'deploy', 'mlflow'), join(copy, 'deploy', 'mlflow'), { recursive: true });
  return execa('docker-compose', ['--project-directory', copy, '-f', join(copy, 'docker-compose.yml'), 'config', '-q'], { reject: false, cwd: copy, env: { PATH: process.env.PATH ?? '' }, extendEnv: false });
}

describe.skipIf(!compose)(`docker-compose.yml passes docker-compose ${compose} config`, () => {
  test.each([[{}], [{ monitoring: false }], [{ gpu: true, dvc: true }], [{ cloud: 'local', python: '3.13' }]] as Array<[Partial<Answers>]>)('%j', async (combo) => {
    const { dir } = await generateRepo(combo);
    const result = await config(dir);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });

  test('a misspelt key and a port that is not one fail it', async () => {
    const { dir } = await generateRepo({});
    const misspelt = await config(dir, (text) => text.replace('    healthcheck:\n', '    healthchek:\n'));
    expect(misspelt.exitCode).not.toBe(0);
    expect(misspelt.stderr).toContain('healthchek');
    const port = await config(dir, (text) => text.replace(/"127\.0\.0\.1:5000:5000"/, '"127.0.0.1:five:5000"'));
    expect(port.exitCode).not.toBe(0);
  });
});
