// agreement.mlflow-server: generated repositories pass it; a server image
// (deploy/mlflow/requirements.txt) older than the locked client, a pin without
// hashes or not re-resolved, compose running another image, the cluster's image
// not set from MLFLOW_IMAGE, or a place that no longer parses are each a finding.

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
const requirements = 'deploy/mlflow/requirements.txt';
const values = 'deploy/k8s/components/deploy-values/kustomization.yaml';

describe('agreement.mlflow-server', () => {
  test.each([[{}], [{ cloud: 'local', ci: 'gitlab' }], [{ cloud: 'azure', monitoring: false }]] as Array<[Partial<Answers>]>)('passes on a generated repository %j', async (combo) => {
    const repo = await loadRepoView((await generateRepo(combo)).dir);
    const client = lockedClient(await repo.read('uv.lock'))!;
    expect(client.name).toBe('mlflow-skinny');
    expect(await mlflowServerCheck.run(repo)).toEqual({ status: 'passed', reason: `MLflow ${client.version} from deploy/mlflow in 2 places; client mlflow-skinny ${client.version}`, findings: [] });
  });

  test('a server older than the client, at its line, also disagreeing with requirements.in', async () => {
    const repo = await edited({}, requirements, (text) => text.replace(/^mlflow==[\d.]+ /m, 'mlflow==3.16.0 '));
    const line = (await repo.read(requirements)).split('\n').findIndex((entry) => entry.startsWith('mlflow==3.16.0')) + 1;
    const result = await mlflowServerCheck.run(repo);
    expect(result.status).toBe('failed');
    expect(result.findings).toEqual([
      expect.objectContaining({ file: requirements, line, message: expect.stringContaining('deploy/mlflow/requirements.in asks for') }),
      expect.objectContaining({ file: requirements, line, message: expect.stringMatching(/^The MLflow server image installs MLflow 3\.16\.0, older than the mlflow-skinny \d+\.\d+\.\d+ that uv\.lock installs\.$/) }),
    ]);
  });

  test('a pin without hashes, and no pin at all, are findings', async () => {
    const unhashed = await edited({}, requirements, (text) => text.replace(/^(mlflow==[\d.]+) \\\n(?: {4}--hash=\S+(?: \\)?\n)+/m, '$1\n'));
    expect((await mlflowServerCheck.run(unhashed)).findings).toEqual([expect.objectContaining({ file: requirements, message: expect.stringContaining('without hashes') })]);
    const none = await edited({}, requirements, (text) => text.replace(/^mlflow==/m, 'mlflow-renamed=='));
    expect((await mlflowServerCheck.run(none)).findings).toEqual([expect.objectContaining({ file: requirements, message: expect.stringContaining('pins no `mlflow==x.y.z`') })]);
  });

  test('compose running the stock image, or without the mlflow service, is a finding', async () => {
    const stock = await edited({ cloud: 'local' }, compose, (text) => text.replace(/ {4}build:\n {6}context: deploy\/mlflow\n/, '').replace(/image: \S+-mlflow:local/, 'image: ghcr.io/mlflow/mlflow:v3.17.2'));
    expect((await mlflowServerCheck.run(stock)).findings).toEqual([expect.objectContaining({ file: compose, message: expect.stringContaining('runs "ghcr.io/mlflow/mlflow:v3.17.2", not the server image deploy/mlflow builds') })]);
    const renamed = await edited({ cloud: 'local' }, compose, (text) => text.replace('\n  mlflow:\n', '\n  tracking:\n'));
    expect((await mlflowServerCheck.run(renamed)).findings).toContainEqual(expect.objectContaining({ file: compose, message: expect.stringContaining('has no `mlflow` service') }));
  });

  test('a cluster image not set from MLFLOW_IMAGE is a finding', async () => {
    const repo = await edited({}, values, (text) => text.replace('fieldPath: data.MLFLOW_IMAGE', 'fieldPath: data.IMAGE'));
    expect((await mlflowServerCheck.run(repo)).findings).toEqual([expect.objectContaining({ file: values, message: expect.stringContaining("Nothing sets the cluster's MLflow image from MLFLOW_IMAGE") })]);
  });

  test('a lock without the MLflow client is a finding', async () => {
    const repo = await edited({}, 'uv.lock', (text) => text.replace(/name = "mlflow(-skinny)?"\n/g, 'name = "renamed"\n'));
    expect((await mlflowServerCheck.run(repo)).findings).toEqual([expect.objectContaining({ file: 'uv.lock', message: expect.stringContaining('neither mlflow-skinny nor mlflow') })]);
  });
});
