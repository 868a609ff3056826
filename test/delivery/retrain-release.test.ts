// CI's retraining and its per-environment model versions, run as CI runs them:
// the deploy step of the GitHub deploy action (`runs.steps[id=values].run`,
// under bash as GitHub runs it) and the values block of GitLab's `.deploy`
// (under sh), each in a generated repository whose cluster-facing scripts are
// stubs that record their arguments: bootstrap-champion.sh prints the version it
// is told to, running-release.sh the running image, and kubectl applies nothing.
// What is proved: retrain passes --retrain and serves the version it prints,
// a retraining refuses a pinned version, a version comes only from the
// environment's own input, and GitLab hands the next job no MODEL_VERSION.
// write-deploy-values.sh and the overlay's values are the repository's own.

import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { generateRepo } from '../helpers/generate.js';

type Json = Record<string, any>;
const digest = `sha256:${'ab12'.repeat(16)}`;
const mlflowDigest = `sha256:${'cd34'.repeat(16)}`;
const commit = 'fedcba9876543210fedcba9876543210fedcba98';

/** Replaces the cluster-facing scripts with recorders; kubectl (and the cloud CLIs) only record too. */
async function stubCluster(dir: string): Promise<{ bin: string; calls: () => Promise<string[]> }> {
  const log = join(dir, 'calls.log');
  await writeFile(log, '');
  const record = (what: string, body = '') => `#!/bin/sh\nprintf '%s\\n' "${what} $*" >>"${log}"\n${body}`;
  await writeFile(join(dir, 'deploy/k8s/bootstrap-champion.sh'), record('bootstrap', 'echo "progress on stderr" >&2\necho "MODEL_VERSION=${STUB_VERSION:?}"\n'));
  await writeFile(join(dir, 'deploy/k8s/running-release.sh'), record('running-release', `printf 'IMAGE_DIGEST=%s\\nGIT_SHA=%s\\nMLFLOW_IMAGE_DIGEST=%s\\n' ${digest} ${commit} ${mlflowDigest}\n`));
  await chmod(join(dir, 'deploy/k8s/bootstrap-champion.sh'), 0o755);
  await chmod(join(dir, 'deploy/k8s/running-release.sh'), 0o755);
  const bin = join(dir, 'stub-bin');
  await mkdir(bin, { recursive: true });
  for (const tool of ['kubectl', 'aws']) {
    await writeFile(join(bin, tool), record(tool));
    await chmod(join(bin, tool), 0o755);
  }
  return { bin, calls: async () => (await readFile(log, 'utf8')).trim().split('\n').filter(Boolean) };
}

describe('GitHub: the deploy action with retrain', () => {
  let dir: string;
  let script: string;
  beforeAll(async () => {
    ({ dir } = await generateRepo({ cloud: 'aws', ci: 'github' }));
    const action = parse(await readFile(join(dir, '.github/actions/deploy/action.yml'), 'utf8')) as Json;
    script = action.runs.steps.find((step: Json) => step.id === 'values').run as string;
  }, 120_000);

  async function deploy(inputs: Record<string, string>, version = '7') {
    const { bin, calls } = await stubCluster(dir);
    const outputs = join(dir, 'github-output');
    await writeFile(outputs, '');
    const result = await execa('bash', ['-e', '-c', script], {
      cwd: dir,
      reject: false,
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        GITHUB_OUTPUT: outputs,
        GITHUB_STEP_SUMMARY: join(dir, 'summary'),
        OVERLAY: 'prod',
        DIGEST: '',
        RELEASE_SHA: '',
        MLFLOW_DIGEST: '',
        PINNED_MODEL: '',
        RETRAIN: 'false',
        AWS_ACCOUNT_ID: '123456789012',
        INGRESS_HOST: 'svc.example.com',
        SERVING_IDENTITY: 'arn:aws:iam::123456789012:role/serving',
        MLFLOW_IDENTITY: 'arn:aws:iam::123456789012:role/mlflow',
        MLFLOW_CI_PASSWORD: 'ci-password',
        STUB_VERSION: version,
        ...inputs,
      },
    });
    return { ...result, calls: await calls(), outputs: await readFile(outputs, 'utf8'), values: await readFile(join(dir, 'deploy/k8s/overlays/prod/deploy-values.env'), 'utf8').catch(() => '') };
  }

  test('retrain: the running images, bootstrap-champion.sh prod --retrain as the read-only CI user, the version it printed pinned and applied', async () => {
    const result = await deploy({ RETRAIN: 'true' }, '12');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.calls.filter((call) => call.startsWith('bootstrap'))).toEqual(['bootstrap prod --retrain']);
    expect(result.calls).toContain('kubectl apply --kustomize deploy/k8s/overlays/prod');
    expect(result.outputs).toContain('model-version=12\n');
    expect(result.outputs).toContain(`digest=${digest}\n`);
    expect(result.values).toContain('MODEL_VERSION=12\n');
    expect(result.values).toContain(`IMAGE=123456789012.dkr.ecr.us-east-1.amazonaws.com/ml-service@${digest}`);
  });

  test('without retrain, a version given is checked by bootstrap-champion.sh and pinned; none resolves the champion', async () => {
    const pinned = await deploy({ PINNED_MODEL: '5' }, '5');
    expect(pinned.exitCode, pinned.stderr).toBe(0);
    expect(pinned.calls.filter((call) => call.startsWith('bootstrap'))).toEqual(['bootstrap prod 5']);
    const champion = await deploy({}, '9');
    expect(champion.calls.filter((call) => call.startsWith('bootstrap'))).toEqual(['bootstrap prod']);
    expect(champion.outputs).toContain('model-version=9\n');
  });

  test('retrain with a pinned version, or a retrain value that is not true/false, fails before anything is applied', async () => {
    const both = await deploy({ RETRAIN: 'true', PINNED_MODEL: '3' });
    expect(both.exitCode).toBe(1);
    expect(both.stdout).toContain("::error::retrain serves the new champion: give no model-version (got '3')");
    expect(both.calls).toEqual([]);
    const typo = await deploy({ RETRAIN: 'yes' });
    expect(typo.exitCode).toBe(1);
    expect(typo.stdout).toContain("::error::retrain must be true or false, got 'yes'");
    expect(typo.calls).toEqual([]);
  });
});

describe('GitLab: the .deploy values block', () => {
  let dir: string;
  let script: string;
  beforeAll(async () => {
    ({ dir } = await generateRepo({ cloud: 'aws', ci: 'gitlab' }));
    const pipeline = parse(await readFile(join(dir, '.gitlab-ci.yml'), 'utf8'), { logLevel: 'error' }) as Json;
    // The block that writes the deploy values (the script's other items sign in, apply and smoke-test).
    script = (pipeline['.deploy'].script as string[]).find((item) => item.includes('write-deploy-values.sh'))!;
    expect(script).toBeDefined();
  }, 120_000);

  async function deploy(variables: Record<string, string>, version = '4') {
    const { bin, calls } = await stubCluster(dir);
    const result = await execa('sh', ['-e', '-c', script], {
      cwd: dir,
      reject: false,
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        OVERLAY: 'prod',
        REGISTRY_IMAGE: '123456789012.dkr.ecr.us-east-1.amazonaws.com/ml-service',
        MLFLOW_REGISTRY_IMAGE: '123456789012.dkr.ecr.us-east-1.amazonaws.com/ml-service-mlflow',
        CI_COMMIT_SHA: commit,
        INGRESS_HOST: 'svc.example.com',
        SERVING_IDENTITY: 'arn:aws:iam::123456789012:role/serving',
        MLFLOW_IDENTITY: 'arn:aws:iam::123456789012:role/mlflow',
        MLFLOW_CI_PASSWORD: 'ci-password',
        STUB_VERSION: version,
        ...variables,
      },
    });
    return { ...result, calls: await calls(), dotenv: await readFile(join(dir, 'deploy.env'), 'utf8').catch(() => '') };
  }

  test('RETRAIN: --retrain, the running images kept, and deploy.env hands on images and commit but no model version', async () => {
    const result = await deploy({ RETRAIN: 'true' }, '21');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.calls.filter((call) => call.startsWith('bootstrap'))).toEqual(['bootstrap prod --retrain']);
    expect(result.dotenv).toBe(`IMAGE_DIGEST=${digest}\nRELEASE_SHA=${commit}\nMLFLOW_IMAGE_DIGEST=${mlflowDigest}\n`);
    expect(await readFile(join(dir, 'deploy/k8s/overlays/prod/deploy-values.env'), 'utf8')).toContain('MODEL_VERSION=21\n');
  });

  test("a version comes only from the environment's own variable: staging's number inherited as MODEL_VERSION is ignored", async () => {
    const inherited = await deploy({ MODEL_VERSION: '3', IMAGE_DIGEST: digest, RELEASE_SHA: commit, MLFLOW_IMAGE_DIGEST: mlflowDigest });
    expect(inherited.exitCode, inherited.stderr).toBe(0);
    expect(inherited.calls.filter((call) => call.startsWith('bootstrap'))).toEqual(['bootstrap prod']);
    const own = await deploy({ PROD_MODEL_VERSION: '8', STAGING_MODEL_VERSION: '3', IMAGE_DIGEST: digest, RELEASE_SHA: commit, MLFLOW_IMAGE_DIGEST: mlflowDigest }, '8');
    expect(own.calls.filter((call) => call.startsWith('bootstrap'))).toEqual(['bootstrap prod 8']);
    const refused = await deploy({ RETRAIN: 'true', PROD_MODEL_VERSION: '8' });
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toContain('a retraining serves the new champion: unset the pinned version 8');
    expect(refused.calls.filter((call) => call.startsWith('bootstrap'))).toEqual([]);
  });
});
