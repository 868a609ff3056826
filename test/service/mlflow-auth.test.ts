// MLflow's own authentication as the cluster runs it: the generated
// deploy/mlflow/auth_server.py starts a real MLflow (the release the repository
// locks, with its `auth` extra) over a real PostgreSQL (Debian's), the store the
// Terraform of every cloud creates, with the users of a folder laid out as the
// kubelet mounts the Secret mlflow-users. Checked through MLflow's REST API:
// nothing but /health answers without a user; the training user owns what it
// creates; the serving and CI users only read; only the admin manages users; a
// changed password in the Secret replaces the old one at the next start; and a
// percent-encoded database password survives MLflow's configuration file.
// Malformed users or a missing setting stop the script before MLflow starts,
// with exit 2 and the name of what is wrong.

import { execa } from 'execa';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mlflowAuthFor } from '../../src/derive.js';
import { generateRepo, templates } from '../helpers/generate.js';
import { findPython, uvCache } from '../helpers/python-env.js';
import { postgresBin, startPostgres, startTrackingServer, type Stoppable, type TrackingServer } from '../helpers/tracking-server.js';

const name = 'auth-check';
const auth = mlflowAuthFor(name);
const passwords = { [auth.users.training]: 'training-password-1', [auth.users.serving]: 'serving-password-1', [auth.users.ci]: 'ci-password-0001' };
const admin = 'admin-password-01';

let dir: string;
let entrypoint: string;
let interpreter: string;
let mlflowVersion: string;
let postgres: Stoppable & { url: string };
let work: string;
const servers: TrackingServer[] = [];

/** A folder laid out as the kubelet mounts a Secret: ..data links to a timestamped folder, one link per key. */
async function usersFolder(users: Record<string, string>): Promise<string> {
  const folder = await mkdtemp(join(work, 'users-'));
  const stamp = join(folder, '..2026_12_07_00_00_00.000000000');
  await mkdir(stamp);
  for (const [user, password] of Object.entries(users)) await writeFile(join(stamp, user), password);
  await symlink(stamp, join(folder, '..data'));
  for (const user of Object.keys(users)) await symlink(join('..data', user), join(folder, user));
  return folder;
}

function serverEnv(users: string): Record<string, string> {
  return { MLFLOW_AUTH_ADMIN_PASSWORD: admin, MLFLOW_FLASK_SERVER_SECRET_KEY: 'form-key-of-this-test', MLFLOW_AUTH_USERS_DIR: users };
}

async function start(backend: string, users: Record<string, string>): Promise<TrackingServer> {
  const server = await startTrackingServer(mlflowVersion, backend, interpreter, undefined, { entrypoint, env: serverEnv(await usersFolder(users)) });
  servers.push(server);
  return server;
}

/** One REST call as `user` (none: no Authorization header); the status and the JSON body. */
async function call(server: TrackingServer, user: string | undefined, path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (user !== undefined) {
    const password = user === 'admin' ? admin : passwords[user];
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }
  const response = await fetch(`${server.url}/api/2.0/mlflow/${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, body: (await response.text()) };
}

beforeAll(async () => {
  ({ dir } = await generateRepo({ name, cloud: 'aws', dvc: false }));
  entrypoint = join(dir, 'deploy/mlflow/auth_server.py');
  // The release deploy/mlflow/requirements.in pins (templates/versions/service.yml).
  mlflowVersion = ((await templates()).versions.service!.mlflowServer as { mlflow: string }).mlflow;
  const found = await findPython('3.12');
  if (!found) throw new Error('Python 3.12 is not installed (pyenv); .ci/run installs it');
  interpreter = found;
  work = await mkdtemp(join(tmpdir(), 'mlforge-mlflow-auth-'));
  postgres = await startPostgres();
}, 600_000);

afterAll(async () => {
  for (const server of servers) await server.stop();
  await postgres?.stop();
  if (work) await rm(work, { recursive: true, force: true });
}, 120_000);

describe('deploy/mlflow/auth_server.py: MLflow with its authentication on, over PostgreSQL', () => {
  test('only /health is open; training owns what it creates; serving and CI read; only the admin manages users', { timeout: 600_000 }, async () => {
    // A percent-encoded password in the URI (PostgreSQL here trusts loopback, so any password connects).
    const backend = postgres.url.replace('postgres@', 'postgres:p%40ss%25word@');
    const server = await start(backend, passwords);
    for (const user of Object.keys(passwords)) expect(server.logs()).toContain(`mlflow auth: created user ${user}`);

    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await call(server, undefined, 'experiments/search?max_results=10')).status).toBe(401);
    expect((await call(server, auth.users.serving, 'registered-models/search')).status).toBe(200);

    // The training user creates the experiment and the model, so it may change them.
    const experiment = await call(server, auth.users.training, 'experiments/create', { name });
    expect(experiment.status, experiment.body).toBe(200);
    const experimentId = (JSON.parse(experiment.body) as { experiment_id: string }).experiment_id;
    expect((await call(server, auth.users.training, 'registered-models/create', { name })).status).toBe(200);
    const run = await call(server, auth.users.training, 'runs/create', { experiment_id: experimentId, start_time: Date.now() });
    expect(run.status, run.body).toBe(200);
    const runId = (JSON.parse(run.body) as { run: { info: { run_id: string } } }).run.info.run_id;
    const version = await call(server, auth.users.training, 'model-versions/create', { name, source: `runs:/${runId}/model`, run_id: runId });
    expect(version.status, version.body).toBe(200);
    expect((await call(server, auth.users.training, 'registered-models/alias', { name, alias: 'champion', version: '1' })).status).toBe(200);

    // Serving and CI read it all and change nothing of it.
    for (const reader of [auth.users.serving, auth.users.ci]) {
      const alias = await call(server, reader, `registered-models/alias?name=${name}&alias=champion`);
      expect(alias.status, alias.body).toBe(200);
      expect(alias.body).toContain('"version": "1"');
      expect((await call(server, reader, `runs/get?run_id=${runId}`)).status).toBe(200);
      expect((await call(server, reader, 'registered-models/alias', { name, alias: 'champion', version: '1' })).status).toBe(403);
      expect((await call(server, reader, 'model-versions/create', { name, source: `runs:/${runId}/model`, run_id: runId })).status).toBe(403);
      expect((await call(server, reader, 'runs/log-metric', { run_id: runId, key: 'roc_auc', value: 1, timestamp: Date.now(), step: 0 })).status).toBe(403);
      expect((await call(server, reader, `registered-models/update`, { name, description: 'changed' }, 'PATCH')).status).toBe(403);
      expect((await call(server, reader, 'users/create', { username: 'intruder', password: 'intruder-password' })).status).toBe(403);
    }
    // A wrong password is no user at all.
    const wrong = await fetch(`${server.url}/api/2.0/mlflow/registered-models/search`, { headers: { authorization: `Basic ${Buffer.from(`${auth.users.serving}:not-the-password`).toString('base64')}` } });
    expect(wrong.status).toBe(401);
    expect((await call(server, 'admin', 'users/create', { username: 'someone', password: 'someone-password' })).status).toBe(200);

    // The users and their grants are rows of the backend store's database, beside the tracking tables.
    const rows = await execa(join(postgresBin()!, 'psql'), [postgres.url.replace('postgresql+psycopg2', 'postgresql'), '-Atc', 'select username from users order by username'], { reject: false, all: true });
    expect(rows.exitCode, String(rows.all)).toBe(0);
    expect(rows.stdout.trim().split('\n')).toEqual(['admin', ...Object.keys(passwords), 'someone'].sort());

    // A changed password in the Secret replaces the old one at the next start; the others stay.
    await server.stop();
    servers.splice(servers.indexOf(server), 1);
    const rotated = { ...passwords, [auth.users.serving]: 'serving-password-2' };
    const again = await start(backend, rotated);
    expect(again.logs()).toContain(`mlflow auth: set the new password of user ${auth.users.serving}`);
    expect(again.logs()).not.toContain('mlflow auth: created user');
    const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
    const alias = `${again.url}/api/2.0/mlflow/registered-models/alias?name=${name}&alias=champion`;
    expect((await fetch(alias, { headers: basic(auth.users.serving, 'serving-password-1') })).status).toBe(401);
    expect((await fetch(alias, { headers: basic(auth.users.serving, 'serving-password-2') })).status).toBe(200);
    expect((await fetch(alias, { headers: basic(auth.users.training, passwords[auth.users.training]!) })).status).toBe(200);
  });

  test('a malformed user or a missing setting exits 2 before MLflow starts, naming it', { timeout: 300_000 }, async () => {
    const backend = `sqlite:///${join(work, 'refused.db')}`;
    const run = async (env: Record<string, string | undefined>) => {
      const result = await execa('uv', ['tool', 'run', '--from', `mlflow[auth]==${mlflowVersion}`, '--with', 'psycopg2-binary', 'python', entrypoint, '--port', '1'], {
        reject: false,
        all: true,
        stdin: 'ignore',
        env: { HOME: work, UV_CACHE_DIR: uvCache, UV_PYTHON: interpreter, UV_PYTHON_DOWNLOADS: 'never', UV_NO_PROGRESS: '1', MLFLOW_BACKEND_STORE_URI: backend, MLFLOW_AUTH_CONFIG_DIR: join(work, 'refused-config'), ...serverEnv(env.MLFLOW_AUTH_USERS_DIR ?? ''), ...env } as Record<string, string>,
        timeout: 240_000,
      });
      return { code: result.exitCode, output: String(result.all) };
    };
    const good = await usersFolder(passwords);
    const cases: Array<[Record<string, string | undefined>, string]> = [
      [{ MLFLOW_AUTH_USERS_DIR: good, MLFLOW_BACKEND_STORE_URI: '' }, 'MLFLOW_BACKEND_STORE_URI is not set'],
      [{ MLFLOW_AUTH_USERS_DIR: good, MLFLOW_AUTH_ADMIN_PASSWORD: '' }, 'MLFLOW_AUTH_ADMIN_PASSWORD is not set'],
      [{ MLFLOW_AUTH_USERS_DIR: good, MLFLOW_FLASK_SERVER_SECRET_KEY: '' }, 'MLFLOW_FLASK_SERVER_SECRET_KEY is not set'],
      [{ MLFLOW_AUTH_USERS_DIR: join(work, 'absent') }, `is not a directory: mount the Secret ${auth.usersSecret} there`],
      [{ MLFLOW_AUTH_USERS_DIR: await usersFolder({}) }, `holds no user: the Secret ${auth.usersSecret} has one key per user`],
      [{ MLFLOW_AUTH_USERS_DIR: await usersFolder({ [auth.users.serving]: 'short' }) }, `the password of user '${auth.users.serving}' must be one line of at least 12 characters`],
      [{ MLFLOW_AUTH_USERS_DIR: await usersFolder({ admin: 'admin-password-02' }) }, "user file 'admin' in"],
      [{ MLFLOW_AUTH_USERS_DIR: await usersFolder({ 'two words': 'password-of-two' }) }, "user file 'two words'"],
    ];
    for (const [env, message] of cases) {
      const result = await run(env);
      expect(result.code, `${JSON.stringify(env)}:\n${result.output}`).toBe(2);
      expect(result.output).toContain(`error: `);
      expect(result.output).toContain(message);
      expect(result.output).not.toContain('Uvicorn running');
    }
  });
});
