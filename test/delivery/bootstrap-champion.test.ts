// The first deploy of a fresh environment trains its first champion inside the
// cluster before the model server is deployed: deploy/k8s/bootstrap-champion.sh.
// There is no API server here, so `kubectl` is a shim that records each call,
// stands in for `port-forward` (the script reaches a real MLflow server on the
// forwarded port) and runs a "Job" created from one of the training CronJobs as
// that CronJob's own command (`python -m <package>.train`, `.evaluate`, `.promote`)
// in the repository's locked environment against that server. Everything the script decides (train or not,
// which version, which error) comes from the real MLflow REST API.

import { execa } from 'execa';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deriveContext, mlflowAuthFor } from '../../src/derive.js';
import { toEnvPrefix } from '../../src/naming.js';
import { deployValuesExample, exampleValues } from '../../src/doctor/validators/kubernetes-build.js';
import { generateRepo, templates } from '../helpers/generate.js';
import { findPython, makeInstall, type PythonEnv } from '../helpers/python-env.js';
import { startTrackingServer, type TrackingServer } from '../helpers/tracking-server.js';

type Json = Record<string, any>;
const name = 'first-champion';
const python = '3.12';
const prefix = toEnvPrefix(name);
// MLflow's users, as the Secret mlflow-users would hold them; the server runs with its authentication on.
const auth = mlflowAuthFor(name);
const passwords: Record<string, string> = { [auth.users.training]: 'training-password-1', [auth.users.serving]: 'serving-password-1', [auth.users.ci]: 'ci-password-00001' };
const basic = (user: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${passwords[user]}`).toString('base64')}` });

const realKubectl = (await execa('sh', ['-c', 'command -v kubectl'], { reject: false })).stdout.trim();
if (!realKubectl) console.warn('skipped: kubectl is not on PATH (it builds the overlay whose CronJob the Job runs); .ci/run requires it');

/**
 * `kubectl` for the script: every call is appended to $SHIM/calls; `create job X --from=cronjob/Y`
 * runs Y's command ($SHIM_TRAIN, $SHIM_EVALUATE or $SHIM_PROMOTE) and records Complete or Failed and its output;
 * `wait --for=condition=complete job/X` succeeds when X completed.
 */
const shim = `#!/bin/sh
printf '%s\\n' "$*" >>"$SHIM/calls"
[ "$1" = --namespace ] && shift 2
case "$1" in
  apply) exit 0 ;;
  rollout) exit 0 ;;
  port-forward) exec sleep 600 </dev/null >/dev/null 2>&1 ;;
  wait) [ "$(cat "$SHIM/\${3#job/}.state")" = Complete ] ;;
  create)
    job=$3
    case "$4" in
      --from=cronjob/*-train) run=$SHIM_TRAIN ;;
      --from=cronjob/*-evaluate) run=$SHIM_EVALUATE ;;
      --from=cronjob/*-promote) run=$SHIM_PROMOTE ;;
      *) echo "shim: unexpected job source: $4" >&2; exit 99 ;;
    esac
    if sh -c "$run" >"$SHIM/$job.log" 2>&1; then echo Complete >"$SHIM/$job.state"; else echo Failed >"$SHIM/$job.state"; fi
    echo "job.batch/$job created" ;;
  get)
    if [ "$2" = secret ]; then
      key=$(printf '%s' "$5" | sed -n "s/^jsonpath={.data\\['\\(.*\\)'\\]}$/\\1/p")
      base64 <"$SHIM/secret-$3-$key"
    else
      cat "$SHIM/$3.state"
    fi ;;
  logs) cat "$SHIM/\${2#job/}.log" ;;
  *) echo "shim: unexpected kubectl call: $*" >&2; exit 99 ;;
esac
`;

describe.skipIf(!realKubectl)('deploy/k8s/bootstrap-champion.sh against a real MLflow server', () => {
  let dir: string;
  let project: PythonEnv;
  let interpreter: string;
  let mlflowVersion: string;
  let command: string[];
  /** The command of each training CronJob (train, evaluate, promote), as the overlay builds it. */
  const commands: Record<string, string[]> = {};
  let shimDir: string;
  let jobCredentials: string;
  const servers: TrackingServer[] = [];

  beforeAll(async () => {
    let plan;
    ({ dir, plan } = await generateRepo({ name, python, cloud: 'aws', dvc: false }));
    const installed = await makeInstall(dir, python);
    if (!installed.ok) throw new Error(installed.reason);
    project = installed.env;
    interpreter = (await findPython(python))!;
    mlflowVersion = /\[\[package\]\]\nname = "mlflow"\nversion = "([^"]+)"/.exec(await readFile(join(dir, 'uv.lock'), 'utf8'))![1]!;
    // The overlay the script applies needs its deploy values; MODEL_VERSION empty, as CI writes it first.
    const example = exampleValues(await readFile(join(dir, deployValuesExample), 'utf8')).trim().split('\n').map((line) => (line.startsWith('MODEL_VERSION=') ? 'MODEL_VERSION=' : line));
    for (const overlay of ['staging', 'prod']) await execa('sh', [join(dir, 'deploy/k8s/write-deploy-values.sh'), overlay, ...example]);
    // The training Job runs what the CronJob says, as the overlay builds it.
    const built = await execa(realKubectl, ['kustomize', join(dir, 'deploy/k8s/overlays/staging')]);
    const ctx = deriveContext(plan.answers, (await templates()).versions, plan.mlforgeVersion);
    const objects = parseAllDocuments(built.stdout).map((document) => document.toJS() as Json);
    const cronJob = objects.find((object) => object?.kind === 'CronJob' && object.metadata.name === ctx.training.cronJob);
    expect(cronJob, `the overlay builds CronJob ${ctx.training.cronJob}`).toBeDefined();
    command = cronJob!.spec.jobTemplate.spec.template.spec.containers[0].command as string[];
    for (const step of Object.values(ctx.training.steps)) {
      const built = objects.find((object) => object?.kind === 'CronJob' && object.metadata.name === step.cronJob);
      expect(built, `the overlay builds CronJob ${step.cronJob}`).toBeDefined();
      expect(built!.spec.suspend).toBe(true);
      expect(built!.metadata.labels['deploy-phase'], `${step.cronJob} is applied with the registry`).toBe('registry');
      const container = built!.spec.jobTemplate.spec.template.spec.containers[0];
      // Every step runs as the training user with the same pod as the training Job.
      expect(container.env).toEqual(cronJob!.spec.jobTemplate.spec.template.spec.containers[0].env);
      expect(built!.spec.jobTemplate.spec.template.spec.serviceAccountName).toBe(ctx.training.serviceAccount);
      commands[step.key] = container.command as string[];
    }
    expect(Object.values(commands).map((entry) => entry.join(' '))).toEqual(['train', 'evaluate', 'promote'].map((key) => `python -m ${ctx.packageName}.${key}`));
    shimDir = await mkdtemp(join(tmpdir(), 'mlforge-bootstrap-'));
    await mkdir(join(shimDir, 'bin'));
    await writeFile(join(shimDir, 'bin', 'kubectl'), shim);
    await chmod(join(shimDir, 'bin', 'kubectl'), 0o755);
    await mkdir(join(shimDir, 'users'));
    for (const [user, password] of Object.entries(passwords)) {
      await writeFile(join(shimDir, 'users', user), password);
      await writeFile(join(shimDir, `secret-${auth.usersSecret}-${user}`), password);
    }
    // The Job runs as the user the CronJob's env names, with the password of that user's key.
    const env = cronJob!.spec.jobTemplate.spec.template.spec.containers[0].env as Json[];
    expect(env.find((entry) => entry.name === 'MLFLOW_TRACKING_USERNAME')?.value).toBe(auth.users.training);
    expect(env.find((entry) => entry.name === 'MLFLOW_TRACKING_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({ name: auth.usersSecret, key: auth.users.training });
    jobCredentials = `MLFLOW_TRACKING_USERNAME=${auth.users.training} MLFLOW_TRACKING_PASSWORD=${passwords[auth.users.training]}`;
  }, 1_500_000);

  afterAll(async () => {
    for (const server of servers) await server.stop();
    if (shimDir) await rm(shimDir, { recursive: true, force: true });
  });

  async function freshServer(label: string): Promise<TrackingServer> {
    const server = await startTrackingServer(mlflowVersion, `sqlite:///${join(dir, `bootstrap-${label}.db`)}`, interpreter, undefined, {
      entrypoint: join(dir, 'deploy/mlflow/auth_server.py'),
      env: { MLFLOW_AUTH_ADMIN_PASSWORD: 'admin-password-01', MLFLOW_FLASK_SERVER_SECRET_KEY: 'form-key', MLFLOW_AUTH_USERS_DIR: join(shimDir, 'users') },
    });
    servers.push(server);
    return server;
  }

  /** A CronJob's command line in the repository's locked environment. */
  const locked = (line: string[]) => [line[0] === 'python' ? project.python : line[0], ...line.slice(1)].join(' ');

  /** Runs the script with the shim; `train` is the training Job's command line (default: the CronJob's, in the locked environment). */
  async function bootstrap(server: TrackingServer, args: string[], env: Record<string, string> = {}, train?: string) {
    await writeFile(join(shimDir, 'calls'), '');
    const port = new URL(server.url).port;
    const home = await mkdtemp(join(tmpdir(), 'mlforge-bootstrap-home-'));
    const jobCommand = train ?? locked(command);
    const result = await execa('sh', [join(dir, 'deploy/k8s/bootstrap-champion.sh'), ...args], {
      reject: false,
      env: {
        PATH: `${join(shimDir, 'bin')}:${process.env.PATH}`,
        SHIM: shimDir,
        SHIM_TRAIN: `cd ${home} && ${jobCredentials} ${jobCommand}`,
        SHIM_EVALUATE: `cd ${home} && ${jobCredentials} ${locked(commands.evaluate!)}`,
        SHIM_PROMOTE: `cd ${home} && ${jobCredentials} ${locked(commands.promote!)}`,
        MLFLOW_FORWARD_PORT: port,
        // What the CronJob's pod gets from the ConfigMap and its env, with MLflow on the forwarded port.
        MLFLOW_TRACKING_URI: server.url,
        MLFLOW_DISABLE_TELEMETRY: 'true',
        HOME: home,
        [`${prefix}ARTIFACTS_DIR`]: join(home, 'artifacts'),
        GIT_SHA: 'bootstrap-test',
        // CI's read-only user (the deploy passes MLFLOW_CI_PASSWORD).
        MLFLOW_TRACKING_USERNAME: auth.users.ci,
        MLFLOW_TRACKING_PASSWORD: passwords[auth.users.ci]!,
        ...env,
      },
    });
    const calls = (await readFile(join(shimDir, 'calls'), 'utf8')).trim().split('\n');
    return { ...result, calls, jobs: calls.filter((call) => /\bcreate job\b/.test(call)) };
  }

  test('a fresh registry: applies the registry phase, trains the first champion in a Job, prints its version; then finds it without training', { timeout: 900_000 }, async () => {
    const server = await freshServer('fresh');
    const first = await bootstrap(server, ['staging']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toBe('MODEL_VERSION=1');
    expect(first.calls[0]).toMatch(/^apply --kustomize \S+\/deploy\/k8s\/overlays\/staging --selector deploy-phase=registry$/);
    expect(first.calls).toContain(`--namespace ${name} rollout status deployment/mlflow --timeout=1800s`);
    expect(first.jobs).toHaveLength(1);
    expect(first.jobs[0]).toMatch(new RegExp(`^--namespace ${name} create job ${name}-train-\\d+ --from=cronjob/${name}-train$`));
    expect(first.stderr).toContain('made version 1 the first champion');

    const again = await bootstrap(server, ['staging']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toBe('MODEL_VERSION=1');
    expect(again.jobs).toEqual([]);

    // A pinned version this registry holds is kept; one it does not hold fails, since it has a champion.
    const pinned = await bootstrap(server, ['staging', '1']);
    expect(pinned.stdout).toBe('MODEL_VERSION=1');
    const foreign = await bootstrap(server, ['staging', '7']);
    expect(foreign.exitCode).toBe(1);
    expect(foreign.stdout).toBe('');
    expect(foreign.stderr).toContain(`this environment's registry has no ${name} version 7 (MLflow answered 404)`);
    expect(foreign.jobs).toEqual([]);
  });

  test('a failing Job or a failed gate stops the deploy with the Job\'s logs; a fresh registry given another\'s version trains its own', { timeout: 900_000 }, async () => {
    const server = await freshServer('failing');
    const crashed = await bootstrap(server, ['staging'], {}, 'echo "cannot read the training data" >&2; exit 3');
    expect(crashed.exitCode).toBe(1);
    expect(crashed.stdout).toBe('');
    expect(crashed.stderr).toMatch(/did not complete \(Failed\); its logs:\n[\s\S]*cannot read the training data/);

    // The candidate registers but cannot pass an impossible floor: no champion, so no version to deploy.
    const gated = await bootstrap(server, ['staging'], { [`${prefix}MIN_ROC_AUC`]: '1.0', [`${prefix}MIN_ACCURACY`]: '1.0' });
    expect(gated.exitCode, gated.stderr).toBe(1);
    expect(gated.stdout).toBe('');
    expect(gated.stderr).toContain(`trained a candidate but there is still no ${name}@champion: it failed the quality gate`);
    expect(gated.stderr).toContain('first candidate failed the quality gate');

    // Prod given staging's version 5: this registry has no champion (its model exists, version 1
    // failed the gate; MLflow answers 400 to the alias lookup), so it trains its own and says so.
    const fresh = await bootstrap(server, ['prod', '5']);
    expect(fresh.exitCode, fresh.stderr).toBe(0);
    expect(fresh.stdout).toBe('MODEL_VERSION=2');
    expect(fresh.stderr).toContain(`warning: ${name} version 5 is not in this fresh registry: prod serves its own first champion instead`);
    expect(fresh.jobs).toHaveLength(1);
  });

  test('--retrain: train, gate and promote Jobs in that order, each from its CronJob, print the new champion; a failed gate promotes nothing', { timeout: 900_000 }, async () => {
    const server = await freshServer('retrain');
    // A fresh registry: --retrain trains the first champion, as any deploy does.
    const first = await bootstrap(server, ['staging', '--retrain']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toBe('MODEL_VERSION=1');
    expect(first.jobs).toHaveLength(1);

    const retrained = await bootstrap(server, ['staging', '--retrain']);
    expect(retrained.exitCode, retrained.stderr).toBe(0);
    expect(retrained.stdout).toBe('MODEL_VERSION=2');
    expect(retrained.calls[0]).toMatch(/^apply --kustomize \S+\/deploy\/k8s\/overlays\/staging --selector deploy-phase=registry$/);
    expect(retrained.jobs.map((call) => /--from=cronjob\/(\S+)$/.exec(call)?.[1])).toEqual([`${name}-train`, `${name}-evaluate`, `${name}-promote`]);
    expect(retrained.stderr).toContain('registered version 2 as challenger; gating it against version 1');
    expect(retrained.stderr).toContain('promoted version 2 to champion (it was version 1)');
    const alias = async (which: string) => ((await (await fetch(`${server.url}/api/2.0/mlflow/registered-models/alias?name=${name}&alias=${which}`, { headers: basic(auth.users.serving) })).json()) as Json).model_version?.version;
    expect(await alias('champion')).toBe('2');
    expect(await alias('previous_champion')).toBe('1');

    // The gate's floors out of reach: the evaluate Job fails, the promote Job never runs, the champion stays.
    const gated = await bootstrap(server, ['staging', '--retrain'], { [`${prefix}MIN_ROC_AUC`]: '1.0', [`${prefix}MIN_ACCURACY`]: '1.0' });
    expect(gated.exitCode).toBe(1);
    expect(gated.stdout).toBe('');
    expect(gated.jobs.map((call) => /--from=cronjob\/(\S+)$/.exec(call)?.[1])).toEqual([`${name}-train`, `${name}-evaluate`]);
    expect(gated.stderr).toMatch(/job\/\S+-evaluate-\d+ did not complete \(Failed\); its logs:/);
    expect(gated.stderr).toContain('version 3 did not pass the quality gate against champion version 2 (or the gate could not run): nothing is promoted');
    expect(await alias('champion')).toBe('2');

    // A training Job that fails stops before the gate.
    const crashed = await bootstrap(server, ['staging', '--retrain'], {}, 'echo "cannot read the training data" >&2; exit 3');
    expect(crashed.exitCode).toBe(1);
    expect(crashed.jobs).toHaveLength(1);
    expect(crashed.stderr).toContain('cannot read the training data');

    // --retrain serves the new champion, so it takes no version, and nothing runs.
    const both = await bootstrap(server, ['staging', '--retrain', '2']);
    expect(both.exitCode).toBe(2);
    expect(both.calls).toEqual(['']);
  });

  test("the README's by-hand gate and promotion, run as written: `make evaluate promote` through the port-forward makes a challenger champion", { timeout: 900_000 }, async () => {
    const server = await freshServer('by-hand');
    expect((await bootstrap(server, ['staging'])).stdout).toBe('MODEL_VERSION=1');
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    const block = /To gate and promote by hand[^\n]*\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'README.md has the by-hand gate and promotion block').toBeDefined();
    expect(block).toContain('port-forward service/mlflow 15000:5000 &');
    const home = await mkdtemp(join(tmpdir(), 'mlforge-retrain-home-'));
    const jobEnv = { MLFLOW_DISABLE_TELEMETRY: 'true', HOME: home, [`${prefix}ARTIFACTS_DIR`]: join(home, 'artifacts'), GIT_SHA: 'retrain-test' };
    // A challenger, as a Job from the training CronJob registers it.
    const trained = await execa('sh', ['-c', `cd ${home} && MLFLOW_TRACKING_URI=${server.url} ${jobCredentials} ${locked(command)}`], { reject: false, all: true, env: jobEnv });
    expect(trained.exitCode, String(trained.all)).toBe(0);
    // The shim cannot forward: the server already listens where the forward would, so only the local port changes.
    const port = new URL(server.url).port;
    const script = `set -e\n${block!.replaceAll('15000', port)}kill $! 2>/dev/null || true\n`;
    await writeFile(join(shimDir, 'calls'), '');
    const result = await execa('sh', ['-c', script], {
      cwd: dir,
      reject: false,
      env: { PATH: `${join(shimDir, 'bin')}:${process.env.PATH}`, SHIM: shimDir, ...jobEnv },
    });
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    const calls = (await readFile(join(shimDir, 'calls'), 'utf8')).trim().split('\n');
    expect(calls).toContain(`--namespace ${name} get secret ${auth.usersSecret} -o jsonpath={.data['${auth.users.training}']}`);
    // make echoes each command; evaluate prints its report, then promote its result (indented JSON each).
    const reports = [...result.stdout.matchAll(/^\{\n[\s\S]*?\n\}$/gm)].map((match) => JSON.parse(match[0]) as Json);
    expect(reports.map((report) => Object.keys(report).includes('passed'))).toEqual([true, false]);
    expect(reports[0]!.passed).toBe(true);
    const promoted = reports[1]!;
    expect(promoted).toMatchObject({ champion: '2', previous: '1', changed: true });
    const alias = (await (await fetch(`${server.url}/api/2.0/mlflow/registered-models/alias?name=${name}&alias=champion`, { headers: basic(auth.users.serving) })).json()) as Json;
    expect(alias.model_version.version).toBe('2');

    // The serving user, as the model server runs: it loads the champion (registry and proxied
    // artifacts) with the MLflow client, and may not move the alias.
    const serving = `
import mlflow
from mlflow import MlflowClient
mlflow.pyfunc.load_model("models:/${name}@champion")
print("loaded")
try:
    MlflowClient().set_registered_model_alias("${name}", "champion", "1")
except mlflow.exceptions.MlflowException as error:
    print("refused", error.get_http_status_code())
`;
    const read = await execa(project.python, ['-c', serving], { reject: false, all: true, env: { HOME: home, MLFLOW_TRACKING_URI: server.url, MLFLOW_TRACKING_USERNAME: auth.users.serving, MLFLOW_TRACKING_PASSWORD: passwords[auth.users.serving]!, MLFLOW_DISABLE_TELEMETRY: 'true' } });
    expect(read.exitCode, String(read.all)).toBe(0);
    expect(read.stdout.trim().split('\n')).toEqual(['loaded', 'refused 403']);
  });

  test('the script is POSIX sh that shellcheck accepts', async (ctx) => {
    const found = await execa('shellcheck', ['--version'], { reject: false }).catch(() => undefined);
    if (found?.exitCode !== 0) {
      // .ci/run installs shellcheck (Debian's package), so CI never skips this.
      console.log('skipped: shellcheck is not on PATH');
      return ctx.skip();
    }
    const result = await execa('shellcheck', ['--shell=sh', '--severity=style', join(dir, 'deploy/k8s/bootstrap-champion.sh')], { reject: false });
    expect(result.stdout).toBe('');
    expect(result.exitCode).toBe(0);
  });

  test('bad arguments exit 2 and touch nothing; a missing deploy-values.env exits 1 before any kubectl call', async () => {
    const server = servers[0] ?? (await freshServer('arguments'));
    for (const args of [[], ['qa'], ['staging', '1x'], ['staging', '1', '2'], ['staging', '--retrain', '1'], ['prod', '--retrained']]) {
      const result = await bootstrap(server, args);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.calls).toEqual(['']);
    }
    const anonymous = await bootstrap(server, ['staging'], { MLFLOW_TRACKING_PASSWORD: '' });
    expect(anonymous.exitCode).toBe(2);
    expect(anonymous.stderr).toContain(`MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD must name an MLflow user of this environment (${auth.users.ci})`);
    expect(anonymous.calls).toEqual(['']);
    const timeout = await bootstrap(server, ['staging'], { BOOTSTRAP_TIMEOUT_SECONDS: 'soon' });
    expect(timeout.exitCode).toBe(2);
    expect(timeout.stderr).toContain("BOOTSTRAP_TIMEOUT_SECONDS must be a number of seconds, got 'soon'");
    const values = join(dir, 'deploy/k8s/overlays/prod/deploy-values.env');
    await rename(values, `${values}.aside`);
    const missing = await bootstrap(server, ['prod']).finally(() => rename(`${values}.aside`, values));
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('overlays/prod/deploy-values.env is missing: run write-deploy-values.sh prod first');
    expect(missing.calls).toEqual(['']);
    // A wrong password: MLflow refuses the lookup, and the script says which user and where its password lives.
    const refused = await bootstrap(server, ['staging'], { MLFLOW_TRACKING_PASSWORD: 'not-the-password' });
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`MLflow refused the user ${auth.users.ci} (401): check MLFLOW_TRACKING_PASSWORD against its key in the Secret ${auth.usersSecret}`);
    expect(refused.jobs).toEqual([]);
  }, 300_000);
});
