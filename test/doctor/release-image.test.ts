// practice.scanned-image: the image CI pushes is the image it scanned. Passes
// on generated repositories of both CI systems; fails on a publish job that
// builds again, and on one that pushes before (or without) a scan.

import { describe, expect, test } from 'vitest';
import { registered } from '../../src/doctor/checks.js';
import { scannedImagePushedCheck } from '../../src/doctor/practices/release-image.js';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import { runCheck } from '../../src/doctor/run-doctor.js';
import type { RepoView } from '../../src/doctor/types.js';
import type { Answers } from '../../src/questions/table.js';
import { generateRepo } from '../helpers/generate.js';

async function repoWith(answers: Partial<Answers>, file?: string, mutate?: (text: string) => string): Promise<RepoView> {
  const { dir } = await generateRepo(answers);
  const repo = await loadRepoView(dir);
  if (!file || !mutate) return repo;
  const original = await repo.read(file);
  const edited = mutate(original);
  expect(edited, 'the mutation must change the file').not.toBe(original);
  return { ...repo, read: async (path) => (path === file ? edited : repo.read(path)) };
}

const check = registered(scannedImagePushedCheck);

describe('practice.scanned-image', () => {
  test('is registered as a practice', () => {
    expect(check.id).toBe('practice.scanned-image');
  });

  test.each([
    { ci: 'github', cloud: 'aws' },
    { ci: 'github', cloud: 'gcp', gpu: true },
    { ci: 'gitlab', cloud: 'azure' },
    { ci: 'gitlab', cloud: 'gcp', serving: 'kserve' },
  ] as Array<Partial<Answers>>)('passes on a generated repository (%o)', async (answers) => {
    const result = await runCheck(check, await repoWith(answers), 60_000);
    expect(result.status, JSON.stringify(result.findings)).toBe('passed');
  });

  test('does not apply to cloud local, and says why', async () => {
    const result = await runCheck(check, await repoWith({ cloud: 'local' }), 60_000);
    expect(result.status).toBe('skipped');
    expect(result.reason).toContain('cloud local');
  });

  test('fails when the GitHub publish job builds and pushes again', async () => {
    const rebuild = (text: string) =>
      text.replace(
        /      - name: Push the scanned images, tagged with the commit SHA\n[\s\S]*?push "\$MLFLOW_IMAGE_NAME"[^\n]*\n/,
        '      - name: Push\n        id: push\n        uses: docker/build-push-action@53b7df96c91f9c12dcc8a07bcb9ccacbed38856a # v7.3.0\n        with:\n          context: .\n          push: true\n          tags: x:${{ github.sha }}\n',
      );
    const result = await runCheck(check, await repoWith({ ci: 'github', cloud: 'aws' }, '.github/workflows/ci.yml', rebuild), 60_000);
    expect(result.findings).toEqual([
      expect.objectContaining({ file: '.github/workflows/ci.yml', line: expect.any(Number), message: expect.stringContaining('builds the image again') }),
      // The replaced step pushed the MLflow server image too.
      expect.objectContaining({ message: expect.stringContaining('No CI step pushes the MLflow server image') }),
    ]);
  });

  test('fails when the GitHub publish job does not wait for the scan', async () => {
    const result = await runCheck(check, await repoWith({ ci: 'github', cloud: 'aws' }, '.github/workflows/ci.yml', (text) => text.replace(/(  publish:\n[\s\S]*?)    needs: \[image\]\n/, '$1')), 60_000);
    expect(result.findings).toEqual([expect.objectContaining({ message: expect.stringContaining('no earlier job scanned') })]);
  });

  test('fails when the GitLab publish job rebuilds instead of loading the scanned archive', async () => {
    const result = await runCheck(check, await repoWith({ ci: 'gitlab', cloud: 'aws' }, '.gitlab-ci.yml', (text) => text.replace('    - docker load --input image.tar\n', '    - docker build --tag "$IMAGE_NAME:$CI_COMMIT_SHA" .\n')), 60_000);
    expect(result.findings).toEqual([expect.objectContaining({ file: '.gitlab-ci.yml', message: expect.stringMatching(/CI job publish builds the image again/) })]);
  });

  test('fails when the MLflow server image is not scanned, or not pushed (GitHub and GitLab)', async () => {
    const unscannedGithub = (text: string) => text.replace(/      - name: Scan the MLflow server image[\s\S]*?format: table\n/, '');
    const github = await runCheck(check, await repoWith({ ci: 'github', cloud: 'gcp' }, '.github/workflows/ci.yml', unscannedGithub), 60_000);
    expect(github.findings).toEqual([expect.objectContaining({ file: '.github/workflows/ci.yml', message: expect.stringContaining('No CI step scans the MLflow server image that deploy/mlflow/Dockerfile builds') })]);
    const unpushedGitlab = (text: string) => text.replace(/    - docker push "\$MLFLOW_REGISTRY_IMAGE.*\n/, '');
    const gitlab = await runCheck(check, await repoWith({ ci: 'gitlab', cloud: 'azure' }, '.gitlab-ci.yml', unpushedGitlab), 60_000);
    expect(gitlab.findings).toEqual([expect.objectContaining({ file: '.gitlab-ci.yml', message: expect.stringContaining('No CI step pushes the MLflow server image') })]);
  });

  test('fails when nothing pushes the image of a cloud deploy', async () => {
    const result = await runCheck(check, await repoWith({ ci: 'gitlab', cloud: 'gcp' }, '.gitlab-ci.yml', (text) => text.replace(/    - docker push .*\n/g, '')), 60_000);
    expect(result.findings).toEqual([expect.objectContaining({ message: expect.stringContaining('No CI job pushes the service image') })]);
  });
});
