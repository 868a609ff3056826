// The generated service image, built for real: the repository's own Dockerfile,
// unchanged, built by a real engine (Podman/Buildah, test/helpers/container-engine.ts)
// with `uv sync --locked` from the package index inside the build, then run the
// way the Kubernetes manifests run it (image USER, read-only root filesystem,
// /tmp as an emptyDir, no capabilities) until /health and /ready answer and
// /predict scores a row. No registry is reachable, so the base images the FROM
// lines name are local stand-ins tagged with those names (test/helpers/base-images.ts).
// The model is trained on the host with the repository's own `make train`
// (tracking off, local registry) and mounted where the image's ARTIFACTS_DIR points.
// Then the training CronJob's container, run the same way against a real MLflow server,
// trains and registers the first champion (the first deploy's bootstrap Job), and the
// server container loads that version from MLflow until /ready answers; then the
// containers of the train, gate and promote CronJobs, in that order (CI's retraining),
// make a second version champion.
// --gpu (a CUDA base image) is not built here: there is no stand-in for it.

import { execa } from 'execa';
import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { toEnvPrefix, toPythonPackageName } from '../../src/naming.js';
import { ensureStandIns } from '../helpers/base-images.js';
import { findEngine, type Engine } from '../helpers/container-engine.js';
import { generateRepo } from '../helpers/generate.js';
import { findPython, makeInstall, uvCache, type PythonEnv } from '../helpers/python-env.js';
import { startTrackingServer, type TrackingServer } from '../helpers/tracking-server.js';

const seconds = (since: number) => (performance.now() - since) / 1000;

/** Skips with the reason printed; where the image must be proven (MLFORGE_REQUIRE_IMAGE=1, set by .ci/run), fails instead. */
function skipWith(ctx: TestContext, reason: string): void {
  if (process.env.MLFORGE_REQUIRE_IMAGE === '1') throw new Error(`the image suite cannot run: ${reason}`);
  console.log(`skipped: ${reason}`);
  ctx.skip(reason);
}

interface PodSpec {
  securityContext?: { runAsUser?: number; runAsNonRoot?: boolean };
  containers: Array<{ securityContext?: { readOnlyRootFilesystem?: boolean; runAsUser?: number; capabilities?: { drop?: string[] } }; volumeMounts?: Array<{ name: string; mountPath: string }> }>;
  volumes?: Array<{ name: string; emptyDir?: unknown }>;
}

/** The model server's pod spec from the generated base manifests (Deployment or Rollout). */
async function modelServerPod(dir: string): Promise<PodSpec> {
  const text = await readFile(join(dir, 'deploy', 'k8s', 'base', 'model-server.yaml'), 'utf8');
  for (const document of parseAllDocuments(text)) {
    const resource = document.toJS() as { kind?: string; spec?: { template?: { spec?: PodSpec } } } | null;
    if (resource?.spec?.template?.spec?.containers) return resource.spec.template.spec;
  }
  throw new Error('deploy/k8s/base/model-server.yaml has no pod template');
}

interface TrainingPod extends PodSpec {
  containers: Array<PodSpec['containers'][number] & { command: string[]; env?: Array<{ name: string; value?: string }>; envFrom?: Array<{ configMapRef?: { name: string } }> }>;
}

/** The pod spec of a training CronJob (default: the first, the training one), and the ConfigMap data its pods read. */
async function trainingPod(dir: string, cronJobName?: string): Promise<{ pod: TrainingPod; config: Record<string, string> }> {
  const cronJob = parseAllDocuments(await readFile(join(dir, 'deploy', 'k8s', 'base', 'train-cronjob.yaml'), 'utf8'))
    .map((document) => document.toJS() as { kind?: string; metadata?: { name?: string }; spec?: { jobTemplate?: { spec?: { template?: { spec?: TrainingPod } } } } })
    .find((resource) => resource?.kind === 'CronJob' && (cronJobName === undefined || resource.metadata?.name === cronJobName));
  const pod = cronJob?.spec?.jobTemplate?.spec?.template?.spec;
  if (!pod) throw new Error('deploy/k8s/base/train-cronjob.yaml has no CronJob pod template');
  const configMap = parseAllDocuments(await readFile(join(dir, 'deploy', 'k8s', 'base', 'configmap.yaml'), 'utf8')).map((document) => document.toJS() as { kind?: string; data?: Record<string, string> }).find((resource) => resource?.kind === 'ConfigMap');
  return { pod, config: configMap?.data ?? {} };
}

/** podman flags for a container spec as the kubelet runs it: read-only root, emptyDirs as tmpfs, capabilities dropped. */
function runFlags(pod: PodSpec, container: PodSpec['containers'][number]): string[] {
  const emptyDirs = new Set((pod.volumes ?? []).filter((volume) => volume.emptyDir !== undefined).map((volume) => volume.name));
  const tmpfs = (container.volumeMounts ?? []).filter((mount) => emptyDirs.has(mount.name)).flatMap((mount) => ['--tmpfs', mount.mountPath]);
  const readOnly = container.securityContext?.readOnlyRootFilesystem === true ? ['--read-only'] : [];
  const drops = (container.securityContext?.capabilities?.drop ?? []).flatMap((capability) => ['--cap-drop', capability]);
  return [...readOnly, ...tmpfs, ...drops, '--security-opt', 'no-new-privileges'];
}

/** Whether something already listens on `port` (the image's CMD fixes it; the container shares the host network). */
async function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(false)));
  });
}

describe.each([{ python: '3.12' }])('generated service image (Python $python, cpu, default answers)', ({ python }) => {
  let skip: string | undefined;
  let engine: Engine;
  let dir: string;
  let name: string;
  let project: PythonEnv;
  let dockerfile: string;
  let image: string;
  let built = false;
  let buildSeconds = 0;
  const container = `mlforge-image-test-${process.pid}`;
  let artifacts: string | undefined;
  const gitSha = 'image-test-sha';
  let tracking: TrackingServer | undefined;

  beforeAll(async () => {
    const found = await findEngine();
    if (!found.ok) {
      skip = found.reason;
      return;
    }
    engine = found.engine;
    let plan;
    ({ dir, plan } = await generateRepo({ python: python as '3.12' }));
    name = plan.answers.name;
    image = `localhost/${name}:image-test`;
    dockerfile = await readFile(join(dir, 'Dockerfile'), 'utf8');

    // The stand-in bases (debootstrap, minutes when not cached) and the host's own install and
    // training (the model the container serves) do not depend on each other.
    const installAndTrain = async () => {
      const installed = await makeInstall(dir, python);
      if (!installed.ok) return installed.reason;
      project = installed.env;
      const train = await execa('make', ['train'], { cwd: dir, reject: false, all: true, env: { ...project.makeEnv, MLFLOW_TRACKING_URI: '' } });
      if (train.exitCode !== 0) throw new Error(`make train exited ${train.exitCode}:\n${String(train.all).slice(-3000)}`);
      return undefined;
    };
    const [standIns, notTrained] = await Promise.all([ensureStandIns(engine, dockerfile, python), installAndTrain()]);
    if (!standIns.ok) {
      skip = standIns.reason;
      return;
    }
    console.log(`stand-in base images ${standIns.images.join(', ')}: ${standIns.seconds.toFixed(1)} s (${standIns.made.length ? `made ${standIns.made.join(', ')}` : 'all cached'}); ${engine.version}`);
    skip = notTrained;
  }, 1_800_000);

  afterAll(async () => {
    if (!engine) return;
    // Podman has no daemon: removing the container ends its conmon too. The image goes with
    // its build's layers; the stand-in bases stay cached for the next run.
    await engine.podman(['rm', '--force', '--time', '5', container], { reject: false });
    await engine.podman(['rm', '--force', '--time', '5', `${container}-registry`], { reject: false });
    await tracking?.stop();
    if (built) await engine.podman(['rmi', '--force', image], { reject: false });
    await engine.podman(['image', 'prune', '--force'], { reject: false });
    if (artifacts) await rm(artifacts, { recursive: true, force: true });
  }, 120_000);

  test('the Dockerfile builds unchanged from the names its FROM lines pin, with the locked environment', { timeout: 1_200_000 }, async (ctx) => {
    if (skip) return skipWith(ctx, skip);
    const started = performance.now();
    // --pull=never: every base comes from local storage (the stand-ins), never a registry;
    // --no-cache: every step runs, every run. The Dockerfile's uv cache mount is the host's uv
    // cache (the one `make install` filled), so `uv sync --locked` links what the host already
    // downloaded instead of fetching it again.
    const cacheTargets = new Set([...dockerfile.matchAll(/--mount=type=cache,target=(\S+)/g)].map((match) => match[1]!));
    for (const target of cacheTargets) if (target.endsWith('/uv')) await engine.shareCacheMount(target, uvCache);
    // --format docker keeps HEALTHCHECK (the OCI format has none), as docker build does.
    const build = await engine.podman(['build', '--pull=never', '--no-cache', '--format', 'docker', '--network', 'host', ...engine.ulimits, '--build-arg', `GIT_SHA=${gitSha}`, '--tag', image, dir], { timeout: 1_200_000 });
    buildSeconds = seconds(started);
    built = true;
    // Both uv sync steps ran: the locked dependencies, then the service as a package.
    const steps = String(build.all);
    expect(steps).not.toMatch(/Using cache/);
    expect(steps).toMatch(/Installed \d+ packages/);
    expect(steps).toMatch(new RegExp(`\\+ ${name}==0\\.1\\.0 \\(from file:///src\\)`));

    const inspect = JSON.parse(String((await engine.podman(['image', 'inspect', image])).stdout)) as Array<{ Size: number; Healthcheck?: { Test: string[] }; Config: { User: string; Labels: Record<string, string>; Cmd: string[]; Env: string[] } }>;
    const config = inspect[0]!.Config;
    const user = /^USER (\d+):(\d+)$/m.exec(dockerfile);
    expect(user, 'the Dockerfile sets a numeric USER').not.toBeNull();
    expect(config.User).toBe(`${user![1]}:${user![2]}`);
    expect(Number(user![1])).toBeGreaterThan(0);
    expect(config.Labels['org.opencontainers.image.revision']).toBe(gitSha);
    expect(config.Labels['org.opencontainers.image.title']).toBe(name);
    expect(inspect[0]!.Healthcheck?.Test.join(' ')).toContain('/health');
    expect(config.Env).toContain(`GIT_SHA=${gitSha}`);

    // The runtime stage has the locked service environment and no build tools: no uv, no
    // training dependencies, and exactly uv.lock's version of what it serves with.
    const probe = (script: string) => engine.podman(['run', '--rm', '--network', 'none', ...engine.ulimits, '--entrypoint', 'sh', image, '-c', script]);
    const sizes = String((await probe('du -sh /opt/venv | cut -f1; python -c "import sys; print(sys.version.split()[0])"; command -v uv || echo no-uv; python -c "import importlib.util as u; print(u.find_spec(\'dvc\') is None)"')).stdout).trim().split('\n');
    const [venvSize, pythonVersion, uvInImage, noDvc] = sizes;
    expect(pythonVersion!.startsWith(`${python}.`)).toBe(true);
    expect(uvInImage).toBe('no-uv');
    expect(noDvc).toBe('True');
    const lock = await readFile(join(dir, 'uv.lock'), 'utf8');
    const locked = /\[\[package\]\]\nname = "fastapi"\nversion = "([^"]+)"/.exec(lock)?.[1];
    const fastapi = String((await probe('python -c "import importlib.metadata as m; print(m.version(\'fastapi\'))"')).stdout).trim();
    expect(fastapi).toBe(locked);
    console.log(`image build (Python ${python}): ${buildSeconds.toFixed(1)} s; image ${(inspect[0]!.Size / 1e6).toFixed(0)} MB, /opt/venv ${venvSize}, Python ${pythonVersion}`);
  });

  test('the container runs as its non-root USER on a read-only root filesystem, answers /health and /ready, and predicts', { timeout: 600_000 }, async (ctx) => {
    if (skip) return skipWith(ctx, skip);
    if (!built) return skipWith(ctx, 'the image did not build (see the build test)');
    const port = Number(/^EXPOSE (\d+)$/m.exec(dockerfile)![1]);
    if (await portTaken(port)) throw new Error(`port ${port} is already taken on this machine; the container shares the host network and its CMD listens on ${port}`);

    // Run it as the manifests run the model server.
    const pod = await modelServerPod(dir);
    const server = pod.containers[0]!;
    const uid = Number(/^USER (\d+):/m.exec(dockerfile)![1]);
    expect(server.securityContext?.runAsUser ?? pod.securityContext?.runAsUser).toBe(uid);
    const emptyDirs = new Set((pod.volumes ?? []).filter((volume) => volume.emptyDir !== undefined).map((volume) => volume.name));
    const tmpfs = (server.volumeMounts ?? []).filter((mount) => emptyDirs.has(mount.name)).flatMap((mount) => ['--tmpfs', mount.mountPath]);
    const readOnly = server.securityContext?.readOnlyRootFilesystem === true ? ['--read-only'] : [];
    const drops = (server.securityContext?.capabilities?.drop ?? []).flatMap((capability) => ['--cap-drop', capability]);
    expect(readOnly).toEqual(['--read-only']);

    // The local registry `make train` wrote, owned by the image's user (as a volume the pod
    // owns through fsGroup), where the image's ARTIFACTS_DIR points.
    const artifactsEnv = /^\s*(\w*ARTIFACTS_DIR)=(\S+)/m.exec(dockerfile);
    expect(artifactsEnv, 'the Dockerfile sets ARTIFACTS_DIR').not.toBeNull();
    artifacts = await mkdtemp(join(tmpdir(), 'mlforge-image-artifacts-'));
    await cp(join(dir, 'artifacts'), artifacts, { recursive: true });
    await execa('chown', ['-R', `${uid}:${uid}`, artifacts]);
    expect(await readdir(join(artifacts, 'registry', name))).toContain('aliases.json');

    const started = performance.now();
    // No --user: the image's USER is what is tested. MLFLOW_TRACKING_URI unset: tracking off.
    await engine.podman(['run', '--detach', '--name', container, '--network', 'host', ...readOnly, ...tmpfs, ...drops, '--security-opt', 'no-new-privileges', ...engine.ulimits, '--volume', `${artifacts}:${artifactsEnv![2]}`, image]);
    const base = `http://127.0.0.1:${port}`;
    const logs = async () => String((await engine.podman(['logs', container], { reject: false })).all ?? '');
    const answer = async (path: string) => fetch(`${base}${path}`, { signal: AbortSignal.timeout(2000) }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }), () => undefined);

    let healthAt: number | undefined;
    let ready: { status: number; body: Record<string, unknown> } | undefined;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const state = String((await engine.podman(['inspect', '--format', '{{.State.Status}}', container])).stdout).trim();
      if (state !== 'running') throw new Error(`the container is ${state} before answering:\n${await logs()}`);
      if (healthAt === undefined && (await answer('/health'))?.status === 200) healthAt = seconds(started);
      if (healthAt !== undefined) {
        ready = await answer('/ready');
        if (ready?.status === 200) break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const readyAt = seconds(started);
    expect(ready?.status, `/ready within 120 s:\n${await logs()}`).toBe(200);
    expect(ready!.body).toMatchObject({ status: 'ready', model_version: '1' });
    expect((await answer('/health'))?.body).toEqual({ status: 'ok' });
    expect((await answer('/version'))?.body).toMatchObject({ git_sha: gitSha, model_version: '1' });

    // The process serving the port is the image's non-root user, in the host's view.
    const pid = String((await engine.podman(['inspect', '--format', '{{.State.Pid}}', container])).stdout).trim();
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const uids = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status)!.slice(1).map(Number);
    expect(uids).toEqual([uid, uid, uid, uid]);
    expect(/^CapEff:\s+(\w+)/m.exec(status)![1]).toMatch(/^0+$/);
    expect(/^NoNewPrivs:\s+(\d)/m.exec(status)![1]).toBe('1');
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status)![1];
    // The root filesystem is read-only for the service's user; /tmp is writable.
    const write = await engine.podman(['exec', container, 'sh', '-c', 'touch /app/x 2>&1; touch /opt/venv/x 2>&1; touch /tmp/x && echo tmp-ok'], { reject: false });
    expect(String(write.stdout)).toMatch(/Read-only file system[\s\S]*Read-only file system[\s\S]*tmp-ok/);

    const packageName = toPythonPackageName(name);
    const example = JSON.parse(String((await execa(project.python, ['-c', `import json; from ${packageName}.features import EXAMPLE_ROW; print(json.dumps(EXAMPLE_ROW))`])).stdout)) as Record<string, number>;
    const predict = await fetch(`${base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'image-1' }, body: JSON.stringify({ rows: [example] }) });
    const prediction = (await predict.json()) as { predictions: Array<{ probability: number }>; model_version: string };
    expect(predict.status, JSON.stringify(prediction)).toBe(200);
    expect(prediction.predictions).toHaveLength(1);
    expect(prediction.predictions[0]!.probability).toBeGreaterThanOrEqual(0);
    expect(prediction.predictions[0]!.probability).toBeLessThanOrEqual(1);
    expect(prediction.model_version).toBe('1');

    // The image's own HEALTHCHECK command passes inside the container.
    const healthcheck = await engine.podman(['healthcheck', 'run', container], { reject: false });
    expect(healthcheck.exitCode, String(healthcheck.all)).toBe(0);

    // SIGTERM (podman stop) ends uvicorn cleanly within the graceful-shutdown time.
    const stopping = performance.now();
    await engine.podman(['stop', '--time', '25', container]);
    const stopSeconds = seconds(stopping);
    const exit = String((await engine.podman(['inspect', '--format', '{{.State.ExitCode}}', container])).stdout).trim();
    const output = await logs();
    expect(output).toContain('Finished server process');
    expect(['0', '143'], output).toContain(exit);
    expect(stopSeconds).toBeLessThan(20);
    console.log(`container (Python ${python}): /health after ${healthAt!.toFixed(1)} s, /ready after ${readyAt.toFixed(1)} s, RSS ${(Number(rss) / 1024).toFixed(0)} MiB, stopped in ${stopSeconds.toFixed(1)} s`);
  });
  test('the training CronJob\'s container trains the first champion against a real MLflow server, and the server then serves it from MLflow', { timeout: 900_000 }, async (ctx) => {
    if (skip) return skipWith(ctx, skip);
    if (!built) return skipWith(ctx, 'the image did not build (see the build test)');
    const port = Number(/^EXPOSE (\d+)$/m.exec(dockerfile)![1]);
    if (await portTaken(port)) throw new Error(`port ${port} is already taken on this machine; the container shares the host network and its CMD listens on ${port}`);
    const prefix = toEnvPrefix(name);
    const mlflowVersion = /\[\[package\]\]\nname = "mlflow"\nversion = "([^"]+)"/.exec(await readFile(join(dir, 'uv.lock'), 'utf8'))![1]!;
    // With the Host headers the in-cluster server accepts (the containers share the host network).
    const manifest = await readFile(join(dir, 'deploy/k8s/components/mlflow/deployment.yaml'), 'utf8');
    const allowedHosts = /name: MLFLOW_SERVER_ALLOWED_HOSTS\n\s+value: (\S+)/.exec(manifest)![1]!;
    const registryDir = await mkdtemp(join(tmpdir(), 'mlforge-image-registry-'));
    tracking = await startTrackingServer(mlflowVersion, `sqlite:///${join(registryDir, 'mlflow.db')}`, (await findPython(python))!, allowedHosts);

    // The Job's container exactly as the CronJob declares it; MLflow where the ConfigMap would point.
    const { pod, config } = await trainingPod(dir);
    const train = pod.containers[0]!;
    const uid = Number(/^USER (\d+):/m.exec(dockerfile)![1]);
    expect(train.securityContext?.runAsUser ?? pod.securityContext?.runAsUser).toBe(uid);
    expect(train.envFrom?.map((source) => source.configMapRef?.name)).toEqual([`${name}-config`]);
    const env = { ...config, MLFLOW_TRACKING_URI: tracking.url, ...Object.fromEntries((train.env ?? []).map((entry) => [entry.name, entry.value === 'set-from-deploy-values' ? gitSha : entry.value ?? ''])) };
    const envFlags = Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
    const started = performance.now();
    const job = await engine.podman(['run', '--rm', '--network', 'host', '--user', `${uid}:${uid}`, ...runFlags(pod, train), ...engine.ulimits, ...envFlags, '--entrypoint', train.command[0]!, image, ...train.command.slice(1)], { reject: false, timeout: 600_000 });
    const trainSeconds = seconds(started);
    expect(job.exitCode, String(job.all).slice(-4000)).toBe(0);
    const summary = JSON.parse(String(job.stdout).slice(String(job.stdout).indexOf('{\n'))) as { version: string; bootstrapped_champion: boolean };
    expect(summary).toMatchObject({ version: '1', bootstrapped_champion: true });
    // The registry the bootstrap script reads: the champion alias on version 1, gate passed, commit recorded.
    const alias = (await (await fetch(`${tracking.url}/api/2.0/mlflow/registered-models/alias?name=${name}&alias=champion`)).json()) as { model_version: { version: string; run_id: string; tags: Array<{ key: string; value: string }> } };
    expect(alias.model_version.version).toBe('1');
    expect(alias.model_version.tags).toContainEqual({ key: 'quality_gate', value: 'passed' });
    const run = (await (await fetch(`${tracking.url}/api/2.0/mlflow/runs/get?run_id=${alias.model_version.run_id}`)).json()) as { run: { data: { tags: Array<{ key: string; value: string }> } } };
    expect(run.run.data.tags).toContainEqual({ key: 'git_sha', value: gitSha });

    // The model server pinned to that version, loading it from MLflow (no local registry mounted).
    const server = (await modelServerPod(dir)).containers[0]!;
    const serving = `${container}-registry`;
    const servingEnv = { ...config, MLFLOW_TRACKING_URI: tracking.url, [`${prefix}MODEL_VERSION`]: '1', GIT_SHA: gitSha };
    await engine.podman(['run', '--detach', '--name', serving, '--network', 'host', ...runFlags(await modelServerPod(dir), server), ...engine.ulimits, ...Object.entries(servingEnv).flatMap(([key, value]) => ['--env', `${key}=${value}`]), image]);
    const answer = async (path: string) => fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }), () => undefined);
    const serveStarted = performance.now();
    let ready: { status: number; body: Record<string, unknown> } | undefined;
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      const state = String((await engine.podman(['inspect', '--format', '{{.State.Status}}', serving])).stdout).trim();
      if (state !== 'running') throw new Error(`the container is ${state} before answering:\n${String((await engine.podman(['logs', serving], { reject: false })).all)}`);
      ready = await answer('/ready');
      if (ready?.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const readySeconds = seconds(serveStarted);
    expect(ready?.status, `/ready within 180 s:\n${String((await engine.podman(['logs', serving], { reject: false })).all).slice(-3000)}`).toBe(200);
    expect(ready!.body).toMatchObject({ status: 'ready', model_version: '1' });
    expect((await answer('/version'))?.body).toMatchObject({ git_sha: gitSha, model_version: '1' });
    await engine.podman(['stop', '--time', '25', serving]);

    // CI's retraining (bootstrap-champion.sh --retrain): a Job from each of the three CronJobs in
    // turn, each container exactly as its CronJob declares it, in the image: a challenger, the gate, the promotion.
    const steps: string[] = [];
    for (const step of ['train', 'evaluate', 'promote']) {
      const { pod: stepPod } = await trainingPod(dir, `${name}-${step}`);
      const stepContainer = stepPod.containers[0]!;
      expect(stepContainer.command).toEqual(['python', '-m', `${toPythonPackageName(name)}.${step}`]);
      const stepEnv = { ...config, MLFLOW_TRACKING_URI: tracking.url, ...Object.fromEntries((stepContainer.env ?? []).map((entry) => [entry.name, entry.value === 'set-from-deploy-values' ? gitSha : entry.value ?? ''])) };
      const stepStarted = performance.now();
      const result = await engine.podman(['run', '--rm', '--network', 'host', '--user', `${uid}:${uid}`, ...runFlags(stepPod, stepContainer), ...engine.ulimits, ...Object.entries(stepEnv).flatMap(([key, value]) => ['--env', `${key}=${value}`]), '--entrypoint', stepContainer.command[0]!, image, ...stepContainer.command.slice(1)], { reject: false, timeout: 600_000 });
      expect(result.exitCode, `${step}: ${String(result.all).slice(-4000)}`).toBe(0);
      steps.push(`${step} ${seconds(stepStarted).toFixed(1)} s`);
    }
    const trackingUrl = tracking.url;
    const versionOf = async (which: string) => ((await (await fetch(`${trackingUrl}/api/2.0/mlflow/registered-models/alias?name=${name}&alias=${which}`)).json()) as { model_version?: { version: string; tags: Array<{ key: string; value: string }> } }).model_version;
    const promoted = await versionOf('champion');
    expect(promoted?.version).toBe('2');
    expect(promoted?.tags).toContainEqual({ key: 'quality_gate', value: 'passed' });
    expect((await versionOf('previous_champion'))?.version).toBe('1');
    await rm(registryDir, { recursive: true, force: true });
    console.log(`training job in the image (Python ${python}): ${trainSeconds.toFixed(1)} s to the first champion; the server ready on it from MLflow after ${readySeconds.toFixed(1)} s; retraining Jobs: ${steps.join(', ')}`);
  });
});
