// practice.mlflow-auth: the cluster's MLflow runs with its authentication on
// and every client signs in as its own user (the model server and the drift
// job as the read-only serving user), on every serving choice; the check fails
// on each mistake planted into a fresh repository.

import { describe, expect, test } from 'vitest';
import { mlflowAuthCheck } from '../../src/doctor/practices/mlflow-auth.js';
import { findingMessages, plantedVariants, type PlantedEdit } from '../helpers/planted.js';

const combos = {
  'aws-github': { cloud: 'aws', ci: 'github' },
  'gcp-gitlab-canary': { cloud: 'gcp', ci: 'gitlab', rollout: 'canary' },
  'azure-github-kserve': { cloud: 'azure', ci: 'github', serving: 'kserve' },
  'local-github': { cloud: 'local', ci: 'github' },
} as const;
type Combo = keyof typeof combos;
const runPlanted = plantedVariants(mlflowAuthCheck, combos);
const messages = findingMessages;

describe('practice.mlflow-auth', () => {
  test.each(Object.keys(combos) as Combo[])('passes on a fresh repository (%s)', async (combo) => {
    const result = await runPlanted(combo);
    expect(result.findings).toEqual([]);
    expect(result.status).toBe('passed');
  });

  test('MLflow started without its authentication fails', async () => {
    const result = await runPlanted('aws-github', ['deploy/k8s/components/mlflow/deployment.yaml', /- python\n(\s+)- \/opt\/mlflow\/auth_server.py/, '- mlflow\n$1- server']);
    expect(messages(result)).toMatch(/MLflow runs without authentication .*anything that reaches it in the cluster can register versions/);
    expect(result.findings[0]!.file).toBe('deploy/k8s/components/mlflow/deployment.yaml');
    expect(result.findings[0]!.line).toBeGreaterThan(1);
  });

  test('MLflow without the users Secret mounted fails', async () => {
    const result = await runPlanted('local-github', ['deploy/k8s/components/mlflow/deployment.yaml', 'secretName: mlflow-users', 'secretName: other-users']);
    expect(messages(result)).toMatch(/does not mount the Secret mlflow-users at \/etc\/mlflow\/users/);
  });

  test('a model server with no MLflow user fails', async () => {
    const result = await runPlanted('aws-github', ['deploy/k8s/base/model-server.yaml', /\n\s+- name: MLFLOW_TRACKING_USERNAME\n\s+value: svc-serving/, '']);
    expect(messages(result)).toMatch(/Deployment svc \(container model-server\) talks to MLflow with no MLflow user/);
  });

  test('a model server signed in as the training user fails, on a Rollout and an InferenceService too', async () => {
    const planted = (file: string): PlantedEdit[] => [[file, 'value: svc-serving', 'value: svc-training'], [file, 'key: svc-serving', 'key: svc-training']];
    for (const [combo, file, kind] of [
      ['aws-github', 'deploy/k8s/base/model-server.yaml', 'Deployment'],
      ['gcp-gitlab-canary', 'deploy/k8s/base/model-server.yaml', 'Rollout'],
      ['azure-github-kserve', 'deploy/k8s/base/inferenceservice.yaml', 'InferenceService'],
    ] as const) {
      const result = await runPlanted(combo, ...planted(file));
      expect(messages(result), combo).toMatch(new RegExp(`${kind} svc \\(container [^)]+\\) signs in to MLflow as svc-training, which owns the model`));
    }
  });

  test('the drift job as the training user fails', async () => {
    const result = await runPlanted('aws-github', ['deploy/k8s/base/drift-cronjob.yaml', 'value: svc-serving', 'value: svc-training'], ['deploy/k8s/base/drift-cronjob.yaml', 'key: svc-serving', 'key: svc-training']);
    expect(messages(result)).toMatch(/CronJob svc-drift \(container [^)]+\) signs in to MLflow as svc-training/);
  });

  test("a password taken from another user's key fails", async () => {
    const result = await runPlanted('aws-github', ['deploy/k8s/base/train-cronjob.yaml', 'key: svc-training', 'key: svc-serving']);
    expect(messages(result)).toMatch(/CronJob svc-train \(container train\) signs in as svc-training with the password of mlflow-users\/svc-serving/);
  });
});
