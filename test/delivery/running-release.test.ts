// A promotion is a release: CI redeploys the image an environment runs with the
// promoted model version, and deploy/k8s/running-release.sh is what reads that
// image's digest and commit back from the cluster. There is no API server here,
// so `kubectl get` is a shim that answers from the objects `kubectl kustomize`
// built out of the overlay (after write-deploy-values.sh wrote its values), and
// the real kubectl evaluates the script's JSONPath on them (`label --local`).
// The round trip proves the script reads exactly what a deploy writes, for a
// Deployment, an Argo Rollout and a KServe InferenceService.

import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { deriveContext } from '../../src/derive.js';
import { deployValuesExample, exampleValues } from '../../src/doctor/validators/kubernetes-build.js';
import { generateRepo, templates } from '../helpers/generate.js';

type Json = Record<string, any>;

const digest = `sha256:${'ab12'.repeat(16)}`;
const commit = 'fedcba9876543210fedcba9876543210fedcba98';
const mlflowDigest = `sha256:${'cd34'.repeat(16)}`;

const realKubectl = (await execa('sh', ['-c', 'command -v kubectl'], { reject: false })).stdout.trim();
if (!realKubectl) console.warn('skipped: kubectl is not on PATH (it builds the overlays and evaluates the JSONPath); .ci/run requires it');

/** A `kubectl` that serves `--namespace NS get KIND/NAME --output EXPR` from files and nothing else. */
const shim = `#!/bin/sh
if [ "$#" -ne 6 ] || [ "$1" != --namespace ] || [ "$3" != get ] || [ "$5" != --output ]; then
  echo "shim: unexpected kubectl call: $*" >&2
  exit 99
fi
file="$SHIM_OBJECTS/$2/$(printf '%s' "$4" | tr / _).yaml"
if [ ! -f "$file" ]; then
  echo "Error from server (NotFound): $4 not found in namespace $2" >&2
  exit 1
fi
exec "$REAL_KUBECTL" label --local --filename "$file" mlforge-shim=1 --output "$6"
`;

/** Writes each built object where the shim looks for it; returns the shim's PATH entry. */
async function cluster(objects: Json[]): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'mlforge-cluster-'));
  for (const object of objects) {
    const namespace = object.metadata?.namespace ?? 'default';
    await mkdir(join(root, 'objects', namespace), { recursive: true });
    await writeFile(join(root, 'objects', namespace, `${String(object.kind).toLowerCase()}_${object.metadata.name}.yaml`), JSON.stringify(object));
  }
  await mkdir(join(root, 'bin'), { recursive: true });
  await writeFile(join(root, 'bin', 'kubectl'), shim);
  await chmod(join(root, 'bin', 'kubectl'), 0o755);
  return root;
}

async function runScript(dir: string, root: string) {
  return execa('sh', [join(dir, 'deploy/k8s/running-release.sh')], {
    reject: false,
    env: { PATH: `${join(root, 'bin')}:${process.env.PATH}`, SHIM_OBJECTS: join(root, 'objects'), REAL_KUBECTL: realKubectl },
  });
}

describe.skipIf(!realKubectl)('deploy/k8s/running-release.sh', () => {
  it.each([
    { cloud: 'aws', ci: 'github', serving: 'fastapi', rollout: 'rolling' },
    { cloud: 'gcp', ci: 'gitlab', serving: 'fastapi', rollout: 'canary' },
    { cloud: 'azure', ci: 'github', serving: 'kserve', rollout: 'rolling' },
  ] as const)('reads back the digest and commit a deploy wrote ($cloud, $serving, $rollout)', async (combo) => {
    const { dir, plan } = await generateRepo(combo);
    const ctx = deriveContext(plan.answers, (await templates()).versions, plan.mlforgeVersion);
    const example = exampleValues(await readFile(join(dir, deployValuesExample), 'utf8')).trim().split('\n');
    const image = (example.find((line) => line.startsWith('IMAGE='))!.slice('IMAGE='.length)).replace(/@sha256:[0-9a-f]{64}$|:[^:/]+$/, '');
    const values = example.map((line) => {
      if (line.startsWith('IMAGE=')) return `IMAGE=${image}@${digest}`;
      if (line.startsWith('MLFLOW_IMAGE=')) return `${line.replace(/@sha256:[0-9a-f]{64}$|:[^:/]+$/, '')}@${mlflowDigest}`;
      if (line.startsWith('GIT_SHA=')) return `GIT_SHA=${commit}`;
      return line;
    });
    const written = await execa('sh', [join(dir, 'deploy/k8s/write-deploy-values.sh'), 'staging', ...values], { reject: false });
    expect(written.stderr).toBe('');
    const built = await execa(realKubectl, ['kustomize', join(dir, 'deploy/k8s/overlays/staging')]);
    const objects = parseAllDocuments(built.stdout).map((document) => document.toJS() as Json).filter(Boolean);
    const root = await cluster(objects);

    const result = await runScript(dir, root);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`IMAGE_DIGEST=${digest}\nGIT_SHA=${commit}\nMLFLOW_IMAGE_DIGEST=${mlflowDigest}`);

    // Both CI systems call it for a model-only release and parse its three keys.
    const deploy = await readFile(join(dir, ctx.isGithub ? '.github/actions/deploy/action.yml' : '.gitlab-ci.yml'), 'utf8');
    expect(deploy).toContain('deploy/k8s/running-release.sh');
    expect(deploy).toContain("sed -n 's/^IMAGE_DIGEST=//p'");
    expect(deploy).toContain("sed -n 's/^GIT_SHA=//p'");
    expect(deploy).toContain("sed -n 's/^MLFLOW_IMAGE_DIGEST=//p'");
  });

  it('refuses a workload that runs a tag instead of a digest, or records no commit, or does not exist', async () => {
    const { dir, plan } = await generateRepo({ cloud: 'gcp', ci: 'github' });
    const ctx = deriveContext(plan.answers, (await templates()).versions, plan.mlforgeVersion);
    const workload = (image: string, env: Json[]): Json => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: ctx.name, namespace: ctx.namespace },
      spec: { template: { spec: { containers: [{ name: 'model-server', image, env }] } } },
    });

    const tagged = await runScript(dir, await cluster([workload('registry.example/app:v1', [{ name: 'GIT_SHA', value: commit }])]));
    expect(tagged.exitCode).toBe(1);
    expect(tagged.stdout).toBe('');
    expect(tagged.stderr).toContain(`runs 'registry.example/app:v1', not an image pinned by digest`);

    const shortDigest = await runScript(dir, await cluster([workload('registry.example/app@sha256:abc', [{ name: 'GIT_SHA', value: commit }])]));
    expect(shortDigest.exitCode).toBe(1);
    expect(shortDigest.stderr).toContain('not an image pinned by digest');

    const noCommit = await runScript(dir, await cluster([workload(`registry.example/app@${digest}`, [{ name: 'GIT_SHA', value: 'unknown' }])]));
    expect(noCommit.exitCode).toBe(1);
    expect(noCommit.stdout).toBe('');
    expect(noCommit.stderr).toContain("records no commit (GIT_SHA is 'unknown')");

    // The model server is fine, but the MLflow server runs a tag (or is missing).
    const server = (image: string): Json => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'mlflow', namespace: ctx.namespace }, spec: { template: { spec: { containers: [{ name: 'mlflow', image }] } } } });
    const good = workload(`registry.example/app@${digest}`, [{ name: 'GIT_SHA', value: commit }]);
    const taggedServer = await runScript(dir, await cluster([good, server('registry.example/app-mlflow:dev')]));
    expect(taggedServer.exitCode).toBe(1);
    expect(taggedServer.stdout).toBe('');
    expect(taggedServer.stderr).toContain("deployment/mlflow in namespace");
    expect(taggedServer.stderr).toContain("runs 'registry.example/app-mlflow:dev', not an image pinned by digest");
    const noServer = await runScript(dir, await cluster([good]));
    expect(noServer.exitCode).toBe(1);
    expect(noServer.stdout).toBe('');
    expect(noServer.stderr).toContain('NotFound');
    expect((await runScript(dir, await cluster([good, server(`registry.example/app-mlflow@${mlflowDigest}`)]))).stdout).toBe(`IMAGE_DIGEST=${digest}\nGIT_SHA=${commit}\nMLFLOW_IMAGE_DIGEST=${mlflowDigest}`);

    const elsewhere = await runScript(dir, await cluster([{ ...workload(`registry.example/app@${digest}`, []), metadata: { name: ctx.name, namespace: 'other' } }]));
    expect(elsewhere.exitCode).toBe(1);
    expect(elsewhere.stdout).toBe('');
    expect(elsewhere.stderr).toContain('NotFound');
  });

  it('a retraining releases its new champion per environment, with the image each runs: train.yml through the deploy action, GitLab through the RETRAIN jobs; production never takes staging\'s model version', async () => {
    const github = await generateRepo({ cloud: 'aws', ci: 'github' });
    const train = parse(await readFile(join(github.dir, '.github/workflows/train.yml'), 'utf8')) as Json;
    for (const [job, overlay] of [['staging', 'staging'], ['production', 'prod']] as const) {
      // No digest: the deploy keeps the image this environment runs (running-release.sh).
      expect(train.jobs[job].steps.find((step: Json) => step.uses === './.github/actions/deploy').with).toEqual({ overlay, retrain: 'true' });
    }
    expect(train.jobs.production.needs).toEqual(['staging']);
    expect(train.jobs.release).toBeUndefined();
    const cd = parse(await readFile(join(github.dir, '.github/workflows/cd.yml'), 'utf8')) as Json;
    expect(cd.on.workflow_call.inputs.digest.required).toBe(false);
    const production = cd.jobs.production.steps.find((step: Json) => step.uses === './.github/actions/deploy');
    expect(production.with).toMatchObject({ digest: '${{ needs.staging.outputs.digest }}', 'git-sha': '${{ needs.staging.outputs.git-sha }}', 'model-version': '${{ inputs.prod-model-version }}' });
    const staging = cd.jobs.staging.steps.find((step: Json) => step.uses === './.github/actions/deploy');
    expect(staging.with['model-version']).toBe('${{ inputs.staging-model-version }}');

    const gitlab = await generateRepo({ cloud: 'aws', ci: 'gitlab' });
    // GitLab's !reference tags are left unresolved; only the job keys matter here.
    const pipeline = parse(await readFile(join(gitlab.dir, '.gitlab-ci.yml'), 'utf8'), { logLevel: 'error' }) as Json;
    expect(pipeline['promote-model']).toBeUndefined();
    expect(pipeline['retrain-staging']).toMatchObject({ extends: '.deploy', needs: [], variables: { OVERLAY: 'staging', RETRAIN: 'true' } });
    expect(pipeline['retrain-production']).toMatchObject({ extends: '.deploy', needs: [{ job: 'retrain-staging', artifacts: false }], variables: { OVERLAY: 'prod', RETRAIN: 'true' } });
    expect(pipeline['retrain-production'].rules.every((rule: Json) => rule.when === 'manual')).toBe(true);

    // Without a cloud there is nothing to release to.
    const local = await generateRepo({ cloud: 'local', ci: 'github' });
    expect((parse(await readFile(join(local.dir, '.github/workflows/train.yml'), 'utf8')) as Json).jobs.release).toBeUndefined();
  });
});
