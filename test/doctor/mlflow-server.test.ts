// agreement.mlflow-server: generated repositories pass it; a server older than
// the locked client, compose and the cluster disagreeing, a tag that names no
// release, or a place that no longer parses are each a finding at their line.

import { describe, expect, test } from 'vitest';
import { lockedClient, mlflowServerCheck } from '../../src/doctor/agreement/mlflow-server.js';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import type { RepoView } from '../../src/doctor/types.js';
import type { Answers } from '../../src/questions/table.js';
import { generateRepo } from '../helpers/generate.js';

async function edited(answers: Partial<Answers>, file: string, edit: (text: string) => string): Promise<RepoView> {
  const repo = await loadRepoView((await generateRepo(answers)).dir);
  const text = edit(await repo.read(file));
  return { ...repo, read: async (path) => (path === file ? text : repo.read(path)) };
}
const compose = 'docker-compose.yml';
const cluster = 'deploy/k8s/components/mlflow/deployment.yaml';

describe('agreement.mlflow-server', () => {
  test.each([[{}], [{ cloud: 'local', ci: 'gitlab' }], [{ cloud: 'azure', monitoring: false }]] as Array<[Partial<Answers>]>)('passes on a generated repository %j', async (combo) => {
    const repo = await loadRepoView((await generateRepo(combo)).dir);
    const client = lockedClient(await repo.read('uv.lock'))!;
    expect(client.name).toBe('mlflow-skinny');
    expect(await mlflowServerCheck.run(repo)).toEqual({ status: 'passed', reason: `ghcr.io/mlflow/mlflow:v${client.version} in 2 places; client mlflow-skinny ${client.version}`, findings: [] });
  });

  test('a compose server older than the client, at its line; then compose and the cluster disagree', async () => {
    const repo = await edited({}, compose, (text) => text.replace(/ghcr\.io\/mlflow\/mlflow:v[\d.]+/, 'ghcr.io/mlflow/mlflow:v3.16.0'));
    const text = await repo.read(compose);
    const line = text.split('\n').findIndex((entry) => entry.includes('mlflow:v3.16.0')) + 1;
    const result = await mlflowServerCheck.run(repo);
    expect(result.status).toBe('failed');
    expect(result.findings).toEqual([
      expect.objectContaining({ file: compose, line, message: expect.stringMatching(/^docker-compose service mlflow runs MLflow 3\.16\.0, older than the mlflow-skinny \d+\.\d+\.\d+ that uv\.lock installs\.$/) }),
      expect.objectContaining({ file: cluster, message: expect.stringContaining('the local stack and the cluster would behave differently') }),
    ]);
  });

  test('a newer cluster server alone is allowed by the client rule but not by agreement', async () => {
    const repo = await edited({}, cluster, (text) => text.replace(/ghcr\.io\/mlflow\/mlflow:v[\d.]+/, 'ghcr.io/mlflow/mlflow:v99.0.0'));
    expect((await mlflowServerCheck.run(repo)).findings).toEqual([expect.objectContaining({ file: cluster, message: expect.stringContaining('but docker-compose service mlflow runs') })]);
  });

  test('a tag that names no release, and a compose file without the mlflow service, are findings', async () => {
    const latest = await edited({ cloud: 'local' }, cluster, (text) => text.replace(/ghcr\.io\/mlflow\/mlflow:v[\d.]+/, 'ghcr.io/mlflow/mlflow:latest'));
    expect((await mlflowServerCheck.run(latest)).findings).toContainEqual(expect.objectContaining({ file: cluster, message: expect.stringContaining('whose tag names no MLflow release') }));
    const renamed = await edited({ cloud: 'local' }, compose, (text) => text.replace('\n  mlflow:\n', '\n  tracking:\n'));
    expect((await mlflowServerCheck.run(renamed)).findings).toContainEqual(expect.objectContaining({ file: compose, message: expect.stringContaining('has no `mlflow` service') }));
  });

  test('a lock without the MLflow client is a finding', async () => {
    const repo = await edited({}, 'uv.lock', (text) => text.replace(/name = "mlflow(-skinny)?"\n/g, 'name = "renamed"\n'));
    expect((await mlflowServerCheck.run(repo)).findings).toEqual([expect.objectContaining({ file: 'uv.lock', message: expect.stringContaining('neither mlflow-skinny nor mlflow') })]);
  });
});
