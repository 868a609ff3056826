// practice.retrain-in-cluster: on a cloud, CI retrains where each environment's
// registry is (the train, gate and promote Jobs through bootstrap-champion.sh
// --retrain, for staging and prod), never trains or promotes on the hosted
// runner, and no deploy pins a version number another environment's registry
// gave; the check fails on each mistake planted into a fresh repository.

import { describe, expect, test } from 'vitest';
import { retrainInClusterCheck } from '../../src/doctor/practices/retrain-in-cluster.js';
import { findingMessages, plantedVariants } from '../helpers/planted.js';

const combos = {
  'aws-github': { cloud: 'aws', ci: 'github' },
  'gcp-gitlab': { cloud: 'gcp', ci: 'gitlab' },
  'azure-gitlab': { cloud: 'azure', ci: 'gitlab' },
  'gcp-github': { cloud: 'gcp', ci: 'github' },
  'local-github': { cloud: 'local', ci: 'github' },
} as const;
type Combo = keyof typeof combos;
const run = plantedVariants(retrainInClusterCheck, combos);
const messages = findingMessages;
const train = '.github/workflows/train.yml';
const cd = '.github/workflows/cd.yml';
const gitlab = '.gitlab-ci.yml';
const cronJobs = 'deploy/k8s/base/train-cronjob.yaml';

describe('practice.retrain-in-cluster', () => {
  test.each(['aws-github', 'gcp-gitlab', 'azure-gitlab', 'gcp-github'] as Combo[])('passes on a fresh repository (%s)', async (combo) => {
    const result = await run(combo);
    expect(result.findings).toEqual([]);
    expect(result.status).toBe('passed');
    expect(result.reason).toContain('retraining in prod, staging');
  });

  test('does not apply on --cloud local', async () => {
    const result = await run('local-github');
    expect(result.status).toBe('skipped');
    expect(result.reason).toMatch(/cloud local/);
  });

  test('a GitHub production deploy given staging\'s model version fails', async () => {
    const result = await run('aws-github', [cd, 'model-version: ${{ inputs.prod-model-version }}', 'model-version: ${{ needs.staging.outputs.model-version }}']);
    expect(messages(result)).toMatch(/Job production deploys prod with the model version another job resolved \(\$\{\{ needs\.staging\.outputs\.model-version \}\}\): each environment's registry numbers its own versions/);
    expect(result.findings[0]!.file).toBe(cd);
  });

  test('a GitLab deploy that hands MODEL_VERSION on through its dotenv report fails', async () => {
    const result = await run('gcp-gitlab', [gitlab, "printf 'IMAGE_DIGEST=%s\\nRELEASE_SHA", "printf 'MODEL_VERSION=%s\\nIMAGE_DIGEST=%s\\nRELEASE_SHA"]);
    expect(messages(result)).toMatch(/Job deploy-staging writes MODEL_VERSION into its dotenv report/);
    expect(messages(result)).toMatch(/Job deploy-production writes MODEL_VERSION/);
  });

  test('promoting on the runner fails, and so does training on a schedule there', async () => {
    const promote = await run('aws-github', [train, '    steps:\n      - uses: actions/checkout', '    steps:\n      - run: make --silent promote\n      - uses: actions/checkout']);
    expect(messages(promote)).toMatch(/Job drift runs make promote on the CI runner: the environments' MLflow servers are private to their clusters, so the runner cannot reach the registry it would promote in/);
    const trains = await run('gcp-gitlab', [gitlab, '    - SVC_INFERENCE_LOG_URI=', '    - make train evaluate\n    - SVC_INFERENCE_LOG_URI=']);
    expect(messages(trains)).toMatch(/Job drift runs make train, make evaluate on the CI runner/);
  });

  test('the smoke run of ci.yml (tracking off, not scheduled) is not retraining', async () => {
    const result = await run('aws-github');
    expect(messages(result)).not.toMatch(/ci\.yml/);
  });

  test('no production retraining fails (GitHub and GitLab)', async () => {
    const github = await run('gcp-github', [train, /\n {2}production:\n[\s\S]*$/, '\n']);
    expect(messages(github)).toMatch(/No scheduled CI job retrains prod in its cluster/);
    expect(messages(github)).not.toMatch(/retrains staging/);
    const gitlabResult = await run('azure-gitlab', [gitlab, /\nretrain-production:\n[\s\S]*?\n\n/, '\n\n']);
    expect(messages(gitlabResult)).toMatch(/No scheduled CI job retrains prod in its cluster \(deploy\/k8s\/bootstrap-champion\.sh prod --retrain, or a job with OVERLAY and RETRAIN "true"\)/);
  });

  test('a retraining job with RETRAIN off, or a deploy action that no longer retrains, does not count', async () => {
    const off = await run('gcp-gitlab', [gitlab, 'OVERLAY: staging\n    RETRAIN: "true"', 'OVERLAY: staging\n    RETRAIN: "false"']);
    expect(messages(off)).toMatch(/No scheduled CI job retrains staging/);
    const action = await run('aws-github', ['.github/actions/deploy/action.yml', 'if [ "$RETRAIN" = true ]; then mode=--retrain; fi', ':']);
    expect(messages(action)).toMatch(/No scheduled CI job retrains staging/);
    expect(messages(action)).toMatch(/No scheduled CI job retrains prod/);
  });

  test('a gate CronJob with the wrong command, unsuspended, or without the registry-phase label fails', async () => {
    const command = await run('aws-github', [cronJobs, '- svc.evaluate', '- svc.train']);
    expect(messages(command)).toMatch(/CronJob svc-evaluate does not run `python -m svc\.evaluate` in a container named evaluate/);
    const suspended = await run('aws-github', [cronJobs, /(name: svc-promote\n[\s\S]*?)suspend: true/, '$1suspend: false']);
    expect(messages(suspended)).toMatch(/CronJob svc-promote is not suspended: it would promote on its own schedule/);
    const label = await run('gcp-github', [cronJobs, /(name: svc-promote\n[\s\S]*?)    deploy-phase: registry\n/, '$1']);
    expect(messages(label)).toMatch(/CronJob svc-promote lacks the label deploy-phase: registry/);
    const missing = await run('gcp-gitlab', [cronJobs, /---\n# Moves champion[\s\S]*$/, '']);
    expect(messages(missing)).toMatch(/No CronJob svc-promote: deploy\/k8s\/bootstrap-champion\.sh --retrain has no promote Job/);
  });
});
