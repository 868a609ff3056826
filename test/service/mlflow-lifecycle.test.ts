// The model lifecycle of a generated repository, driven only through its own
// commands against a real MLflow tracking server (SQLite, and PostgreSQL as the
// production-like backend; artifacts served by the tracking server), and again
// with tracking off (the local registry under artifacts/):
//
//   make train (first model: the gate passes it and it becomes champion by itself)
//   make train, make evaluate (passes), make promote
//   make train with a deliberately worse setting ({PREFIX}REGULARIZATION),
//   make evaluate (refuses it: the gate exits 1, make 2), make promote (refuses)
//   make serve (the champion from the registry), /ready, /version, /predict
//   make rollback, restart make serve: it follows the alias to the previous version
//
// What MLflow recorded is read back over its REST API: params, metrics, the
// data fingerprint and git SHA tags, the registered versions, aliases and the
// model's signature.

import { execa, type ResultPromise } from 'execa';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { toEnvPrefix } from '../../src/naming.js';
import { generateRepo } from '../helpers/generate.js';
import { findPython, makeInstall, type PythonEnv } from '../helpers/python-env.js';
import { postgresBin, startPostgres, startTrackingServer, type Stoppable, type TrackingServer } from '../helpers/tracking-server.js';
import { freeLoopbackPort } from './service-process.js';

const name = 'churn-lifecycle';
const version = '3.12';
const prefix = toEnvPrefix(name);

let dir: string;
let project: PythonEnv;
let gitSha: string;
let mlflowVersion: string;
let example: Record<string, number>;

beforeAll(async () => {
  ({ dir } = await generateRepo({ name, python: version, cloud: 'local', dvc: false }));
  const installed = await makeInstall(dir, version);
  if (!installed.ok) throw new Error(installed.reason);
  project = installed.env;
  const git = (...args: string[]) => execa('git', args, { cwd: dir, env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } });
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'generated');
  gitSha = String((await git('rev-parse', '--short', 'HEAD')).stdout).trim();
  mlflowVersion = /\[\[package\]\]\nname = "mlflow"\nversion = "([^"]+)"/.exec(await readFile(join(dir, 'uv.lock'), 'utf8'))![1]!;
  const script = `import json; from ${name.replace(/-/g, '_')}.features import EXAMPLE_ROW; print(json.dumps(EXAMPLE_ROW))`;
  example = JSON.parse(String((await execa(project.python, ['-c', script])).stdout)) as Record<string, number>;
}, 1_500_000);

/** Runs `make <target>` in the repository with `env`; returns exit code and output. */
async function make(target: string, env: Record<string, string>, args: string[] = []) {
  const result = await execa('make', [target, ...args], { cwd: dir, reject: false, all: true, env: { ...project.makeEnv, ...env }, timeout: 600_000 });
  return { code: result.exitCode, output: String(result.all) };
}

function lastJson(output: string): Record<string, unknown> {
  const start = output.lastIndexOf('\n{\n');
  const text = output.slice(start + 1, output.indexOf('\n}', start) + 2);
  return JSON.parse(text) as Record<string, unknown>;
}

/** `make serve` on a free port, in its own process group so SIGTERM reaches uvicorn under make. */
async function makeServe(env: Record<string, string>): Promise<{ url: string; stop(): Promise<string> }> {
  const port = await freeLoopbackPort();
  const child: ResultPromise = execa('make', ['serve', `PORT=${port}`], { cwd: dir, reject: false, all: true, detached: true, stdin: 'ignore', env: { ...project.makeEnv, ...env } });
  let logs = '';
  child.all?.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid!, 'SIGKILL'), 30_000);
    await child;
    clearTimeout(timer);
    return logs;
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`make serve exited ${child.exitCode}:\n${logs}`);
    const ready = await fetch(`${url}/ready`).then((response) => response.status, () => 0);
    if (ready === 200) return { url, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`make serve was not ready within 120 s (last /ready ${ready}):\n${logs}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function servedVersion(url: string): Promise<string> {
  const ready = (await (await fetch(`${url}/ready`)).json()) as { model_version: string };
  const response = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: [example] }) });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { model_version: string; predictions: Array<{ probability: number }> };
  expect(body.predictions).toHaveLength(1);
  expect(body.predictions[0]!.probability).toBeGreaterThanOrEqual(0);
  expect(body.model_version).toBe(ready.model_version);
  return body.model_version;
}

/** The whole lifecycle; `inspect` checks what the registry recorded after the first training. Returns the steps driven. */
async function lifecycle(env: Record<string, string>, inspect: (summary: Record<string, unknown>) => Promise<void>): Promise<string[]> {
  const steps: string[] = [];
  const step = async (target: string, expected: number, extra: Record<string, string> = {}) => {
    const result = await make(target, { ...env, ...extra });
    steps.push(`make ${target}${Object.keys(extra).length ? ` (${Object.keys(extra).join(', ')})` : ''} -> ${result.code}`);
    expect(result.code, `make ${target}:\n${result.output.slice(-3000)}`).toBe(expected);
    return result.output;
  };
  const first = lastJson(await step('train', 0));
  expect(first).toMatchObject({ version: '1', alias: 'challenger', bootstrapped_champion: true });
  await inspect(first);

  const second = lastJson(await step('train', 0));
  expect(second).toMatchObject({ version: '2', bootstrapped_champion: false });
  expect(lastJson(await step('evaluate', 0))).toMatchObject({ candidate_version: '2', champion_version: '1', passed: true });
  expect(lastJson(await step('promote', 0))).toMatchObject({ champion: '2', previous: '1', changed: true });

  // A deliberately worse candidate: almost no capacity (C = 1e-5) loses accuracy against the champion.
  const worse = lastJson(await step('train', 0, { [`${prefix}REGULARIZATION`]: '0.00001' }));
  expect(worse).toMatchObject({ version: '3', bootstrapped_champion: false });
  // make exits 2 when a recipe fails (the gate itself exits 1, as the log says).
  const gate = lastJson(await step('evaluate', 2));
  expect(gate).toMatchObject({ candidate_version: '3', champion_version: '2', passed: false });
  expect((gate.failures as string[]).join(' ')).toMatch(/worse than the champion|below the floor/);
  const refused = await step('promote', 2);
  expect(refused).toMatch(/has not passed the quality gate/);

  let server = await makeServe(env);
  steps.push('make serve');
  try {
    expect(await servedVersion(server.url)).toBe('2');
    const info = (await (await fetch(`${server.url}/version`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({ model_version: '2' });
    steps.push('GET /ready, /version, POST /predict -> version 2');
    expect(lastJson(await step('rollback', 0))).toMatchObject({ champion: '1', replaced: '2' });
    // The running server keeps the model it loaded until it restarts.
    expect(await servedVersion(server.url)).toBe('2');
  } finally {
    await server.stop();
  }
  server = await makeServe(env);
  steps.push('make serve (restart)');
  try {
    expect(await servedVersion(server.url)).toBe('1');
    steps.push('POST /predict after restart -> version 1 (follows the alias)');
  } finally {
    await server.stop();
  }
  return steps;
}

async function restJson(server: TrackingServer, path: string): Promise<Record<string, any>> {
  const response = await fetch(`${server.url}/api/2.0/mlflow/${path}`);
  expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as Record<string, any>;
}

function inspectTracking(server: TrackingServer) {
  return async (summary: Record<string, unknown>) => {
    const model = (await restJson(server, `model-versions/get?name=${name}&version=1`)).model_version;
    expect(model.status).toBe('READY');
    expect(model.source).toMatch(/^models:\/|mlflow-artifacts:/);
    const run = (await restJson(server, `runs/get?run_id=${model.run_id}`)).run;
    const params = Object.fromEntries(run.data.params.map((p: { key: string; value: string }) => [p.key, p.value]));
    const metrics = Object.fromEntries(run.data.metrics.map((m: { key: string; value: number }) => [m.key, m.value]));
    const tags = Object.fromEntries(run.data.tags.map((t: { key: string; value: string }) => [t.key, t.value]));
    expect(params).toMatchObject({ estimator: 'LogisticRegression', regularization: '1.0', random_seed: '42' });
    expect(metrics.accuracy).toBeCloseTo(summary.accuracy as number, 10);
    expect(metrics.roc_auc).toBeGreaterThan(0.95);
    expect(tags.git_sha).toBe(gitSha);
    expect(tags.data_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(tags.data_source).toBe('bundled:sklearn.load_breast_cancer');
    const registered = (await restJson(server, `registered-models/get?name=${name}`)).registered_model;
    const aliases = Object.fromEntries(registered.aliases.map((a: { alias: string; version: string }) => [a.alias, a.version]));
    expect(aliases).toMatchObject({ champion: '1', challenger: '1' });
    // The signature, read by MLflow's own client from the artifacts the server stores.
    const script = `import json, mlflow; i = mlflow.models.get_model_info("models:/${name}/1"); print(json.dumps({"inputs": [c["name"] for c in i.signature.inputs.to_dict()], "example": i.saved_input_example_info is not None}))`;
    const signature = JSON.parse(String((await execa(project.python, ['-c', script], { env: { MLFLOW_TRACKING_URI: server.url } })).stdout)) as { inputs: string[]; example: boolean };
    expect(signature.inputs).toEqual(Object.keys(example));
    expect(signature.example).toBe(true);
  };
}

describe('model lifecycle through the Makefile', () => {
  const started: Stoppable[] = [];
  afterAll(async () => {
    for (const server of started.reverse()) await server.stop();
  });

  test('with tracking off: the local registry', { timeout: 1_800_000 }, async () => {
    const steps = await lifecycle({ MLFLOW_TRACKING_URI: '', [`${prefix}ARTIFACTS_DIR`]: join(dir, 'artifacts-local') }, async () => {
      const aliases = JSON.parse(await readFile(join(dir, 'artifacts-local', 'registry', name, 'aliases.json'), 'utf8')) as Record<string, string>;
      expect(aliases).toMatchObject({ champion: '1', challenger: '1' });
    });
    console.log(`lifecycle (tracking off): ${steps.length} steps: ${steps.join('; ')}`);
  });

  test('against mlflow server with a SQLite backend', { timeout: 1_800_000 }, async () => {
    const interpreter = (await findPython(version))!;
    // With the Host headers the in-cluster server accepts: a port-forward client's 127.0.0.1:<port>.
    const manifest = await readFile(join(dir, 'deploy/k8s/components/mlflow/deployment.yaml'), 'utf8');
    const allowedHosts = /name: MLFLOW_SERVER_ALLOWED_HOSTS\n\s+value: (\S+)/.exec(manifest)![1]!;
    const server = await startTrackingServer(mlflowVersion, `sqlite:///${join(dir, 'tracking-sqlite.db')}`, interpreter, allowedHosts);
    started.push(server);
    const steps = await lifecycle({ MLFLOW_TRACKING_URI: server.url }, inspectTracking(server));
    console.log(`lifecycle (mlflow ${mlflowVersion}, SQLite): ${steps.length} steps: ${steps.join('; ')}`);
  });

  test('mlflow run of the MLproject entry points (train, evaluate, promote) against mlflow server', { timeout: 1_800_000 }, async () => {
    const interpreter = (await findPython(version))!;
    const server = await startTrackingServer(mlflowVersion, `sqlite:///${join(dir, 'tracking-project.db')}`, interpreter);
    started.push(server);
    // As the MLproject's own comment says to run it in the repository's .venv (`uv run --no-sync`
    // puts it first on PATH). python_env.yaml's own environment is the next test.
    const mlflowRun = async (entry: string, params: string[] = []) => {
      const result = await execa('uv', ['run', '--no-sync', 'mlflow', 'run', '.', '-e', entry, '--env-manager', 'local', ...params.flatMap((param) => ['-P', param])], {
        cwd: dir,
        reject: false,
        all: true,
        timeout: 600_000,
        env: { ...project.makeEnv, MLFLOW_TRACKING_URI: server.url },
      });
      expect(result.exitCode, `mlflow run -e ${entry}:\n${String(result.all).slice(-3000)}`).toBe(0);
      return String(result.all);
    };
    await mlflowRun('train', ['regularization=0.5', 'random_seed=7']);
    await mlflowRun('evaluate');
    await mlflowRun('promote');
    const model = (await restJson(server, `model-versions/get?name=${name}&version=1`)).model_version;
    const run = (await restJson(server, `runs/get?run_id=${model.run_id}`)).run;
    const params = Object.fromEntries(run.data.params.map((p: { key: string; value: string }) => [p.key, p.value]));
    // The entry point's parameters reached the training code, and the model was logged in the run `mlflow run` opened.
    expect(params).toMatchObject({ regularization: '0.5', random_seed: '7' });
    expect(run.data.tags.find((t: { key: string }) => t.key === 'mlflow.project.entryPoint')?.value).toBe('train');
    const registered = (await restJson(server, `registered-models/get?name=${name}`)).registered_model;
    const aliases = Object.fromEntries(registered.aliases.map((a: { alias: string; version: string }) => [a.alias, a.version]));
    expect(aliases).toMatchObject({ champion: '1', challenger: '1' });
    console.log(`mlflow run (mlflow ${mlflowVersion}): train, evaluate, promote entry points ran; version 1 is champion`);
  });

  test('mlflow run in the virtualenv python_env.yaml describes (pip installs the project from the index)', { timeout: 1_800_000 }, async (ctx) => {
    // MLflow's virtualenv manager asks pyenv for the newest patch release of python_env.yaml's
    // "3.12", which pyenv would download; offline from python.org, the copy here names the patch
    // release pyenv already has. Everything else is the file as generated: a fresh venv,
    // build_dependencies, `-e .` resolved by pip from the package index, the entry point's command.
    const pyenvRoot = process.env.PYENV_ROOT ?? '/root/.pyenv';
    const pyenv = join(pyenvRoot, 'bin', 'pyenv');
    if (!existsSync(pyenv)) {
      console.log(`skipped: no pyenv at ${pyenv}; MLflow's virtualenv manager needs it`);
      return ctx.skip();
    }
    const interpreter = (await findPython(version))!;
    const patch = String((await execa(interpreter, ['-c', 'import platform; print(platform.python_version())'])).stdout).trim();
    const copy = await mkdtemp(join(tmpdir(), 'mlforge-python-env-'));
    await cp(dir, copy, { recursive: true, filter: (source) => !/[/\\](\.venv|\.git|artifacts[^/\\]*)$/.test(source) });
    const pythonEnv = await readFile(join(copy, 'python_env.yaml'), 'utf8');
    expect(pythonEnv).toMatch(new RegExp(`^python: "${version.replace('.', '\\.')}"$`, 'm'));
    await writeFile(join(copy, 'python_env.yaml'), pythonEnv.replace(/^python: ".*"$/m, `python: "${patch}"`));
    const server = await startTrackingServer(mlflowVersion, `sqlite:///${join(dir, 'tracking-python-env.db')}`, interpreter);
    started.push(server);
    const envRoot = await mkdtemp(join(tmpdir(), 'mlforge-mlflow-envs-'));
    const result = await execa(project.python, ['-m', 'mlflow', 'run', copy, '-e', 'train', '--env-manager', 'virtualenv', '-P', 'random_seed=11'], {
      cwd: copy,
      reject: false,
      all: true,
      timeout: 900_000,
      env: { ...project.makeEnv, MLFLOW_TRACKING_URI: server.url, MLFLOW_ENV_ROOT: envRoot, PYENV_ROOT: pyenvRoot, PATH: `${dirname(pyenv)}:${process.env.PATH}` },
    });
    expect(result.exitCode, `mlflow run --env-manager virtualenv:\n${String(result.all).slice(-4000)}`).toBe(0);
    // The run happened in the new environment, not in the repository's .venv.
    const environments = await readdir(envRoot);
    expect(environments).toHaveLength(1);
    const envPython = join(envRoot, environments[0]!, 'bin', 'python');
    const installed = String((await execa(envPython, ['-c', `import ${name.replace(/-/g, '_')}, sys, mlflow; print(sys.version.split()[0], mlflow.__version__)`])).stdout).trim();
    expect(installed.split(' ')[0]).toBe(patch);
    const model = (await restJson(server, `model-versions/get?name=${name}&version=1`)).model_version;
    const run = (await restJson(server, `runs/get?run_id=${model.run_id}`)).run;
    expect(run.data.tags.find((t: { key: string }) => t.key === 'mlflow.project.env')?.value).toBe('virtualenv');
    expect(run.data.params.find((p: { key: string }) => p.key === 'random_seed')?.value).toBe('11');
    await rm(envRoot, { recursive: true, force: true });
    await rm(copy, { recursive: true, force: true });
    console.log(`mlflow run --env-manager virtualenv (Python ${installed}): python_env.yaml built the environment; the train entry point registered version 1`);
  });

  test('against mlflow server with a PostgreSQL backend', { timeout: 1_800_000 }, async (ctx) => {
    if (!postgresBin()) {
      console.log('skipped: PostgreSQL not available (no /usr/lib/postgresql/N/bin; .ci/run installs the postgresql package)');
      return ctx.skip();
    }
    const postgres = await startPostgres();
    started.push(postgres);
    const interpreter = (await findPython(version))!;
    const server = await startTrackingServer(mlflowVersion, postgres.url, interpreter);
    started.push(server);
    const steps = await lifecycle({ MLFLOW_TRACKING_URI: server.url }, inspectTracking(server));
    console.log(`lifecycle (mlflow ${mlflowVersion}, PostgreSQL): ${steps.length} steps: ${steps.join('; ')}`);
  });
});
