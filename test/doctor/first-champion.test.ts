// practice.first-champion: every cloud and CI's deploy path trains the first
// champion in the cluster before the model server is deployed, and the check
// fails on each mistake planted into a fresh repository.

import { describe, expect, test } from 'vitest';
import { firstChampionCheck } from '../../src/doctor/practices/first-champion.js';
import { findingMessages, plantedVariants, type PlantedEdit } from '../helpers/planted.js';

const combos = {
  'aws-github': { cloud: 'aws', ci: 'github' },
  'gcp-gitlab': { cloud: 'gcp', ci: 'gitlab', rollout: 'canary' },
  'azure-github-kserve': { cloud: 'azure', ci: 'github', serving: 'kserve' },
  'local-gitlab': { cloud: 'local', ci: 'gitlab' },
} as const;
type Combo = keyof typeof combos;
const runPlanted = plantedVariants(firstChampionCheck, combos);
const messages = findingMessages;

describe('practice.first-champion', () => {
  test.each(Object.keys(combos) as Combo[])('passes on a fresh repository (%s)', async (combo) => {
    const result = await runPlanted(combo);
    expect(result.findings).toEqual([]);
    expect(result.status).toBe('passed');
  });

  test('no training CronJob fails', async () => {
    const result = await runPlanted('aws-github', ['deploy/k8s/base/train-cronjob.yaml', 'kind: CronJob', 'kind: Job']);
    expect(messages(result)).toMatch(/No CronJob svc-train: nothing trains inside the cluster/);
  });

  test('a CronJob that runs something else fails', async () => {
    const result = await runPlanted('gcp-gitlab', ['deploy/k8s/base/train-cronjob.yaml', '- svc.train', '- svc.evaluate']);
    expect(messages(result)).toMatch(/does not run `python -m svc.train`/);
  });

  test('a CronJob whose image is not the deployed one fails', async () => {
    const result = await runPlanted('aws-github', ['deploy/k8s/components/deploy-values/kustomization.yaml', /(fieldPath: data\.IMAGE\n\s+targets:\n[\s\S]*?)name: svc-train/, '$1name: svc-trainer']);
    expect(messages(result)).toMatch(/No deploy-values replacement copies IMAGE into CronJob svc-train/);
  });

  test('MLflow without the registry-phase label fails', async () => {
    const result = await runPlanted('azure-github-kserve', ['deploy/k8s/components/mlflow/deployment.yaml', /\n    deploy-phase: registry/, '']);
    expect(messages(result)).toMatch(/Deployment mlflow lacks the label deploy-phase: registry/);
    expect(result.findings[0]).toMatchObject({ file: 'deploy/k8s/components/mlflow/deployment.yaml' });
  });

  test('the model server in the registry phase fails', async () => {
    const result = await runPlanted('aws-github', ['deploy/k8s/base/model-server.yaml', /\n  labels:\n/, '\n  labels:\n    deploy-phase: registry\n']);
    expect(messages(result)).toMatch(/The model server Deployment svc carries deploy-phase/);
  });

  test('a GitHub deploy that never runs the bootstrap fails', async () => {
    const result = await runPlanted('aws-github', ['.github/actions/deploy/action.yml', /PINNED_MODEL="\$\(MLFLOW_TRACKING_USERNAME[^\n]*\n[^\n]*bootstrap-champion\.sh[^\n]*/, 'PINNED_MODEL="${PINNED_MODEL:-1}"']);
    expect(messages(result)).toMatch(/The deploy never runs deploy\/k8s\/bootstrap-champion.sh/);
    expect(result.findings[0]).toMatchObject({ file: '.github/actions/deploy/action.yml' });
  });

  test('a GitLab deploy that applies the overlay before the bootstrap fails', async () => {
    const result = await runPlanted('gcp-gitlab', ['.gitlab-ci.yml', /\n {6}MODEL_VERSION=\$\(MLFLOW_TRACKING_USERNAME=[^\n]*sh deploy\/k8s\/bootstrap-champion\.sh[^\n]*/, '\n      kubectl apply --kustomize "deploy/k8s/overlays/$OVERLAY"\n      MODEL_VERSION=$(sh deploy/k8s/bootstrap-champion.sh "$OVERLAY" | sed -n "s/^MODEL_VERSION=//p")']);
    expect(messages(result)).toMatch(/applies the overlay before it runs deploy\/k8s\/bootstrap-champion.sh/);
  });

  test('make deploy-local without the bootstrap fails on kind', async () => {
    const result = await runPlanted('local-gitlab', ['Makefile', /version=\$\$\(deploy\/k8s\/bootstrap-champion\.sh staging \$\(MODEL_VERSION\)/, 'version=$$(echo MODEL_VERSION=$(MODEL_VERSION)']);
    expect(messages(result)).toMatch(/The deploy never runs deploy\/k8s\/bootstrap-champion.sh/);
    expect(result.findings[0]).toMatchObject({ file: 'Makefile' });
  });
});
