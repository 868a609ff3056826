// The generated MLflow tracking server image, built for real: deploy/mlflow's
// Dockerfile, unchanged, built by a real engine (Podman/Buildah, as the service
// image suite does) from local stand-ins for the base images its FROM lines
// name, with `uv pip install --require-hashes` from the package index inside
// the build. For AWS (the default answers) the container then runs the way
// components/mlflow runs it (the image USER, read-only root filesystem, /tmp
// as an emptyDir, no capabilities, backend and artifacts from the environment)
// against a real PostgreSQL (Debian's), and a client records an experiment, a
// run, a metric and a registered model through its REST API. For GCP and
// Azure the image is built and its drivers imported; `local` needs no driver
// beyond what the AWS image proves (SQLite is in CPython).

import { execa } from 'execa';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { mlflowAuthFor } from '../../src/derive.js';
import type { Answers } from '../../src/questions/table.js';
import { ensureStandIns } from '../helpers/base-images.js';
import { findEngine, type Engine } from '../helpers/container-engine.js';
import { generateRepo } from '../helpers/generate.js';
import { uvCache } from '../helpers/python-env.js';
import { postgresBin, startPostgres, type Stoppable } from '../helpers/tracking-server.js';
import { freeLoopbackPort } from '../service/service-process.js';

const seconds = (since: number) => (performance.now() - since) / 1000;

/** Skips with the reason printed; where the image must be proven (MLFORGE_REQUIRE_IMAGE=1, set by .ci/run), fails instead. */
function skipWith(ctx: TestContext, reason: string): void {
  if (process.env.MLFORGE_REQUIRE_IMAGE === '1') throw new Error(`the MLflow image suite cannot run: ${reason}`);
  console.log(`skipped: ${reason}`);
  ctx.skip(reason);
}

let engine: Engine | undefined;
let engineSkip: string | undefined;
const images: string[] = [];

beforeAll(async () => {
  const found = await findEngine();
  if (found.ok) engine = found.engine;
  else engineSkip = found.reason;
}, 120_000);

afterAll(async () => {
  if (!engine) return;
  for (const image of images) await engine.podman(['rmi', '--force', image], { reject: false });
  await engine.podman(['image', 'prune', '--force'], { reject: false });
}, 120_000);

/** Builds deploy/mlflow of a repository generated with `answers`; the image name, its Dockerfile and the repository. */
async function buildServer(answers: Partial<Answers>): Promise<{ image: string; dockerfile: string; dir: string; requirements: string; name: string } | { skip: string }> {
  if (!engine) return { skip: engineSkip ?? 'no container engine' };
  const { dir, plan } = await generateRepo(answers);
  const context = join(dir, 'deploy', 'mlflow');
  const dockerfile = await readFile(join(context, 'Dockerfile'), 'utf8');
  const standIns = await ensureStandIns(engine, dockerfile, plan.answers.python);
  if (!standIns.ok) return { skip: standIns.reason };
  for (const target of new Set([...dockerfile.matchAll(/--mount=type=cache,target=(\S+)/g)].map((match) => match[1]!))) {
    if (target.endsWith('/uv')) await engine.shareCacheMount(target, uvCache);
  }
  const image = `localhost/${plan.answers.name}-mlflow:image-test-${plan.answers.cloud}`;
  const started = performance.now();
  // --pull=never: every base is a local stand-in; --no-cache: every step runs.
  const build = await engine.podman(['build', '--pull=never', '--no-cache', '--format', 'docker', '--network', 'host', ...engine.ulimits, '--tag', image, context], { timeout: 1_200_000 });
  images.push(image);
  const log = String(build.all);
  expect(log).not.toMatch(/Using cache/);
  expect(log).toMatch(/--require-hashes/);
  expect(log).toMatch(/Installed \d+ packages/);
  const inspect = JSON.parse(String((await engine.podman(['image', 'inspect', image])).stdout)) as Array<{ Size: number; Healthcheck?: { Test: string[] }; Config: { User: string } }>;
  console.log(`MLflow server image (${plan.answers.cloud}, Python ${plan.answers.python}): built in ${seconds(started).toFixed(1)} s, ${(inspect[0]!.Size / 1e6).toFixed(0)} MB`);
  const user = /^USER (\d+):(\d+)$/m.exec(dockerfile);
  expect(user, 'the Dockerfile sets a numeric USER').not.toBeNull();
  expect(Number(user![1])).toBeGreaterThan(0);
  expect(inspect[0]!.Config.User).toBe(`${user![1]}:${user![2]}`);
  expect(inspect[0]!.Healthcheck?.Test.join(' ')).toContain('/health');
  return { image, dockerfile, dir, requirements: await readFile(join(context, 'requirements.txt'), 'utf8'), name: plan.answers.name };
}

/** Runs `script` with the image's python, no network. */
async function python(image: string, script: string): Promise<string> {
  const result = await engine!.podman(['run', '--rm', '--network', 'none', ...engine!.ulimits, '--entrypoint', 'python', image, '-c', script]);
  return String(result.stdout).trim();
}

const pinned = (requirements: string, name: string) => new RegExp(`^${name}==(\\S+)`, 'm').exec(requirements)?.[1];

describe.each([
  { cloud: 'gcp', modules: ['psycopg2', 'google.cloud.storage'] },
  { cloud: 'azure', modules: ['psycopg2', 'azure.storage.blob', 'azure.identity'] },
] as const)('generated MLflow server image ($cloud)', ({ cloud, modules }) => {
  test('builds unchanged from its hashed requirements; the drivers import', { timeout: 1_500_000 }, async (ctx) => {
    const built = await buildServer({ cloud });
    if ('skip' in built) return skipWith(ctx, built.skip);
    expect(await python(built.image, `import importlib.metadata as m, ${modules.join(', ')}; print(m.version('mlflow'))`)).toBe(pinned(built.requirements, 'mlflow'));
  });
});

describe('generated MLflow server image (aws, default answers) against a real PostgreSQL', () => {
  let postgres: (Stoppable & { url: string }) | undefined;
  let artifacts: string | undefined;
  let users: string | undefined;
  const container = `mlforge-mlflow-image-test-${process.pid}`;

  afterAll(async () => {
    if (engine) await engine.podman(['rm', '--force', '--time', '5', container], { reject: false });
    await postgres?.stop();
    if (artifacts) await rm(artifacts, { recursive: true, force: true });
    if (users) await rm(users, { recursive: true, force: true });
  }, 120_000);

  test('runs as the Deployment runs it, stores in PostgreSQL, and serves the tracking and registry API', { timeout: 1_800_000 }, async (ctx) => {
    const built = await buildServer({});
    if ('skip' in built) return skipWith(ctx, built.skip);
    const { image, dockerfile, dir, requirements, name: project } = built;
    expect(await python(image, "import importlib.metadata as m, psycopg2, boto3; print(m.version('mlflow'))")).toBe(pinned(requirements, 'mlflow'));

    // The container as components/mlflow runs it: its command (the port changed to a free one:
    // the container shares the host network), its security context, its emptyDir.
    const deployment = parse(await readFile(join(dir, 'deploy/k8s/components/mlflow/deployment.yaml'), 'utf8')) as {
      spec: { template: { spec: { containers: Array<{ command: string[]; securityContext: { readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } }; volumeMounts: Array<{ name: string; mountPath: string }>; env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string } } }> }>; volumes: Array<{ name: string; emptyDir?: unknown; secret?: { secretName: string } }> } } };
    };
    const pod = deployment.spec.template.spec;
    const server = pod.containers[0]!;
    expect(server.securityContext.readOnlyRootFilesystem).toBe(true);
    const emptyDirs = new Set(pod.volumes.filter((volume) => volume.emptyDir !== undefined).map((volume) => volume.name));
    const tmpfs = server.volumeMounts.filter((mount) => emptyDirs.has(mount.name)).flatMap((mount) => ['--tmpfs', mount.mountPath]);
    const drops = (server.securityContext.capabilities?.drop ?? []).flatMap((capability) => ['--cap-drop', capability]);
    const uid = Number(/^USER (\d+):/m.exec(dockerfile)![1]);

    postgres = await startPostgres();
    // The artifact store: a host directory the image's user owns (the pod writes to its bucket).
    artifacts = await mkdtemp(join(tmpdir(), 'mlforge-mlflow-image-artifacts-'));
    await chmod(artifacts, 0o755);
    await execa('chown', [`${uid}:${uid}`, artifacts]);
    // The Secret mlflow-users as the kubelet mounts it (read-only, readable by the pod's group).
    const auth = mlflowAuthFor(project);
    const passwords: Record<string, string> = { [auth.users.training]: 'training-password-1', [auth.users.serving]: 'serving-password-1', [auth.users.ci]: 'ci-password-000001' };
    users = await mkdtemp(join(tmpdir(), 'mlforge-mlflow-image-users-'));
    for (const [name, password] of Object.entries(passwords)) await writeFile(join(users, name), password, { mode: 0o440 });
    await execa('chown', ['-R', `0:${uid}`, users]);
    await chmod(users, 0o750);
    const usersDir = server.env.find((entry) => entry.name === 'MLFLOW_AUTH_USERS_DIR')?.value;
    expect(usersDir, 'the Deployment names the users folder').toBe(auth.usersDir);
    expect(pod.volumes.find((volume) => volume.secret?.secretName === auth.usersSecret), 'the users Secret is a volume').toBeDefined();
    // What the Deployment takes from the Secret mlflow-auth.
    const fromAuthSecret = server.env.filter((entry) => entry.valueFrom?.secretKeyRef?.name === auth.serverSecret).map((entry) => entry.name).sort();
    expect(fromAuthSecret).toEqual(['MLFLOW_AUTH_ADMIN_PASSWORD', 'MLFLOW_FLASK_SERVER_SECRET_KEY']);
    const logs = async () => String((await engine!.podman(['logs', container], { reject: false })).all ?? '');
    const started = performance.now();
    let base = '';
    let healthy = false;
    // The port is found free, then bound by the container moments later: another suite on this
    // machine can take it in between. Only that race is retried, on a new port.
    for (let attempt = 1; attempt <= 3 && !healthy; attempt += 1) {
      const port = await freeLoopbackPort();
      const command = server.command.map((arg) => arg.replace(/^--port=\d+$/, `--port=${port}`).replace(/^--host=.*$/, '--host=127.0.0.1'));
      expect(command).toContain(`--port=${port}`);
      const env = [
        `MLFLOW_BACKEND_STORE_URI=${postgres.url}`,
        'MLFLOW_ARTIFACTS_DESTINATION=/artifacts',
        ...server.env.filter((entry) => entry.value !== undefined && entry.name !== 'MLFLOW_SERVER_ALLOWED_HOSTS').map((entry) => `${entry.name}=${entry.value}`),
        `MLFLOW_SERVER_ALLOWED_HOSTS=127.0.0.1:${port},localhost:${port}`,
        'MLFLOW_AUTH_ADMIN_PASSWORD=admin-password-01',
        'MLFLOW_FLASK_SERVER_SECRET_KEY=form-key-of-the-image-test',
      ].flatMap((entry) => ['--env', entry]);
      // No --user: the image's USER is what is tested. The Deployment's command replaces the image's CMD,
      // with the $(VAR) references the kubelet expands from the environment expanded here.
      const argv = command.map((arg) => arg.replace('$(MLFLOW_BACKEND_STORE_URI)', postgres!.url).replace('$(MLFLOW_ARTIFACTS_DESTINATION)', '/artifacts'));
      await engine!.podman(['run', '--detach', '--name', container, '--network', 'host', '--read-only', ...tmpfs, ...drops, '--security-opt', 'no-new-privileges', ...engine!.ulimits, ...env, '--volume', `${artifacts}:/artifacts`, '--volume', `${users}:${auth.usersDir}:ro`, '--entrypoint', argv[0]!, image, ...argv.slice(1)]);
      base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 180_000;
      while (Date.now() < deadline) {
        const state = String((await engine!.podman(['inspect', '--format', '{{.State.Status}}', container])).stdout).trim();
        if (state !== 'running') {
          const output = await logs();
          if (attempt < 3 && /\[Errno 98\] Address already in use/.test(output)) {
            console.log(`port ${port} was taken before the MLflow container bound it; retrying on another`);
            await engine!.podman(['rm', '--force', container], { reject: false });
            break;
          }
          throw new Error(`the MLflow container is ${state} before answering:\n${output}`);
        }
        healthy = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) }).then((response) => response.ok, () => false);
        if (healthy) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    expect(healthy, `/health within 180 s:\n${await logs()}`).toBe(true);
    const healthAt = seconds(started);

    // MLflow's authentication is on: nothing but /health answers without a user.
    expect((await fetch(`${base}/api/2.0/mlflow/experiments/search?max_results=1`)).status).toBe(401);
    const basic = (user: string) => `Basic ${Buffer.from(`${user}:${passwords[user]}`).toString('base64')}`;
    // The tracking and registry API as the training user, stored in PostgreSQL through psycopg2.
    const call = async (path: string, body?: unknown, user = auth.users.training) => {
      const headers = { 'content-type': 'application/json', authorization: basic(user) };
      const response = await fetch(`${base}/api/2.0/mlflow/${path}`, body === undefined ? { headers } : { method: 'POST', headers, body: JSON.stringify(body) });
      const json = (await response.json()) as Record<string, any>;
      expect(response.status, `${path}: ${JSON.stringify(json)}`).toBe(200);
      return json;
    };
    const { experiment_id: experiment } = await call('experiments/create', { name: 'image-test' });
    const { run } = await call('runs/create', { experiment_id: experiment, start_time: Date.now() });
    await call('runs/log-metric', { run_id: run.info.run_id, key: 'roc_auc', value: 0.91, timestamp: Date.now(), step: 0 });
    await call('registered-models/create', { name: 'image-test-model' });
    expect((await call(`runs/get?run_id=${run.info.run_id}`)).run.data.metrics).toEqual([expect.objectContaining({ key: 'roc_auc', value: 0.91 })]);
    expect((await call('registered-models/get?name=image-test-model', undefined, auth.users.serving)).registered_model.name).toBe('image-test-model');
    // The serving user reads and may not write.
    const refused = await fetch(`${base}/api/2.0/mlflow/runs/log-metric`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic(auth.users.serving) }, body: JSON.stringify({ run_id: run.info.run_id, key: 'x', value: 1, timestamp: Date.now(), step: 0 }) });
    expect(refused.status).toBe(403);
    // And the rows are in PostgreSQL itself (Debian's psql, beside the server binaries).
    const rows = await execa(join(postgresBin()!, 'psql'), [postgres.url.replace('postgresql+psycopg2', 'postgresql'), '-Atc', "select count(*) from experiments where name = 'image-test'"], { reject: false, all: true });
    expect(rows.exitCode, String(rows.all)).toBe(0);
    expect(rows.stdout.trim()).toBe('1');
    // The users the script created from the mounted Secret, beside MLflow's admin, in the same database.
    const accounts = await execa(join(postgresBin()!, 'psql'), [postgres.url.replace('postgresql+psycopg2', 'postgresql'), '-Atc', 'select username from users order by username'], { reject: false, all: true });
    expect(accounts.exitCode, String(accounts.all)).toBe(0);
    expect(accounts.stdout.trim().split('\n')).toEqual(['admin', ...Object.keys(passwords)].sort());

    // The process is the image's non-root user with no capabilities, and the root filesystem is read-only.
    const pid = String((await engine!.podman(['inspect', '--format', '{{.State.Pid}}', container])).stdout).trim();
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    expect(/^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status)!.slice(1).map(Number)).toEqual([uid, uid, uid, uid]);
    expect(/^CapEff:\s+(\w+)/m.exec(status)![1]).toMatch(/^0+$/);
    expect(/^NoNewPrivs:\s+(\d)/m.exec(status)![1]).toBe('1');
    const write = await engine!.podman(['exec', container, 'sh', '-c', 'touch /opt/mlflow/x 2>&1; touch /tmp/x && echo tmp-ok'], { reject: false });
    expect(String(write.stdout)).toMatch(/Read-only file system[\s\S]*tmp-ok/);
    console.log(`MLflow server container (aws): /health after ${healthAt.toFixed(1)} s against PostgreSQL, as UID ${uid}`);
  });
});
