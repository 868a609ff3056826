// Generated .gitlab-ci.yml, for every core combination with GitLab and the
// toggles that change it, passes gitlab-ci-local's schema validation and
// agrees with the derived values; the check is shown to catch a broken file.

import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import type { RepoView } from '../../src/doctor/types.js';
import { execaSync } from 'execa';
import { gitlabSecurityCheck } from '../../src/doctor/validators/ci-security.js';
import { gitlabCiCheck, gitlabShellcheckCheck } from '../../src/doctor/validators/gitlab-ci.js';
import type { Answers } from '../../src/questions/table.js';
import { coreMatrix, generateRepo, planFor } from '../helpers/generate.js';

const gitlabCombos: Array<Partial<Answers>> = [
  ...coreMatrix().filter((combo) => combo.ci === 'gitlab'),
  // Toggles that change the pipeline: drift job, DVC pull, GPU timeouts, Python version.
  { ci: 'gitlab', cloud: 'aws', monitoring: false, dvc: true, gpu: true, python: '3.11' },
  { ci: 'gitlab', cloud: 'gcp', monitoring: true, dvc: true, python: '3.13' },
  { ci: 'gitlab', cloud: 'azure', serving: 'kserve', monitoring: false, dvc: true, gpu: true },
  { ci: 'gitlab', cloud: 'local', monitoring: false, dvc: true, python: '3.11' },
];

const shellcheckInstalled = execaSync('shellcheck', ['--version'], { reject: false }).exitCode === 0;
if (!shellcheckInstalled) console.warn('shellcheck is not installed: the GitLab script check is asserted as skipped (apt-get install -y shellcheck)');

type Job = Record<string, unknown> & { stage?: string; image?: unknown; id_tokens?: unknown; environment?: unknown };

describe.each(gitlabCombos)('.gitlab-ci.yml for %o', (combo) => {
  it('passes gitlab-ci-local --list --json-schema-validation', async () => {
    const { dir } = await generateRepo(combo);
    try {
      const repo = await loadRepoView(dir);
      expect(repo.files.some((file) => file.startsWith('.github/'))).toBe(false);
      const result = await gitlabCiCheck.run(repo);
      expect(result.findings).toEqual([]);
      expect(result.status).toBe('passed');
      const shell = await gitlabShellcheckCheck.run(repo);
      expect(shell.findings).toEqual([]);
      expect(shell.status).toBe(shellcheckInstalled ? 'passed' : 'skipped');
      const security = await gitlabSecurityCheck.run(repo);
      expect(security.findings).toEqual([]);
      expect(security.status).toBe('passed');
    } finally {
      await rm(dirname(dir), { recursive: true, force: true });
    }
  });

  it('agrees with the derived values and keeps cloud access keyless', async () => {
    const plan = await planFor(combo);
    const a = plan.answers;
    const text = plan.files.find((file) => file.path === '.gitlab-ci.yml')!.contents;
    const pipeline = parseYaml(text, { customTags: [{ tag: '!reference', collection: 'seq', resolve: (value: unknown) => value }] }) as Record<string, Job> & {
      variables: Record<string, string>;
      stages: string[];
    };
    expect(pipeline.variables.PYTHON_VERSION).toBe(a.python);
    expect(pipeline.variables.IMAGE_NAME).toBe(a.name);
    expect((pipeline['.python'] as Job).image).toMatch(new RegExp(`^python:${a.python.replace('.', '\\.')}\\.\\d+-slim`));
    expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|GOOGLE_CREDENTIALS|AZURE_CLIENT_SECRET|ARM_CLIENT_SECRET/);
    expect(text).not.toContain(a.description);
    for (const stage of ['lint', 'test', 'build', 'scan', 'train']) expect(pipeline.stages).toContain(stage);
    if (a.cloud === 'local') {
      expect(pipeline.stages).not.toContain('deploy-staging');
      expect(pipeline.publish).toBeUndefined();
      return;
    }
    expect(pipeline.stages).toEqual(expect.arrayContaining(['publish', 'deploy-staging', 'deploy-production', 'infra']));
    expect(pipeline['.cloud-oidc']?.id_tokens).toBeTruthy();
    const registryImage = { aws: `\${AWS_ACCOUNT_ID}.dkr.ecr.${a.region}.amazonaws.com/${a.name}`, gcp: `${a.region}-docker.pkg.dev/\${GCP_PROJECT_ID}/${a.name}/${a.name}`, azure: undefined }[a.cloud];
    if (registryImage) expect(pipeline.variables.REGISTRY_IMAGE).toBe(registryImage);
    else expect(pipeline.variables.REGISTRY_IMAGE).toBe(`\${AZURE_ACR_NAME}.azurecr.io/${a.name}`);
    // Retraining runs in each environment's cluster: RETRAIN jobs of the deploy template, staging then prod by hand; nothing trains or promotes on a runner.
    expect(pipeline.train).toBeUndefined();
    expect(pipeline['promote-model']).toBeUndefined();
    for (const [job, overlay] of [['retrain-staging', 'staging'], ['retrain-production', 'prod']] as const) {
      expect(pipeline[job]?.extends).toBe('.deploy');
      expect(pipeline[job]?.variables).toEqual({ OVERLAY: overlay, RETRAIN: 'true' });
      expect(pipeline[job]?.environment).toEqual({ name: overlay });
    }
    expect(pipeline['retrain-production']?.needs).toEqual([{ job: 'retrain-staging', artifacts: false }]);
    expect(JSON.stringify(pipeline['retrain-production']?.rules)).toContain('"when":"manual"');
    const deploy = JSON.stringify(pipeline['.deploy']);
    expect(deploy).toContain(`18080:8000`);
    expect(deploy).toContain(`127.0.0.1:18080/ready`);
    expect(deploy).toContain('IMAGE=$REGISTRY_IMAGE@$IMAGE_DIGEST');
    expect(pipeline['deploy-production']?.environment).toEqual({ name: 'prod' });
    expect(JSON.stringify(pipeline['deploy-production'])).toContain('"when":"manual"');
    expect(text).toContain(`MODEL_VERSION=${'$'}{PROD_MODEL_VERSION:-}`);
    // The next environment takes the images and commit, never the model version of this registry.
    expect(deploy).not.toMatch(/MODEL_VERSION=%s/);
  });
});

describe('gitlab-ci-local catches a broken pipeline', () => {
  async function brokenRepo(mutate: (text: string) => string): Promise<RepoView> {
    const { dir } = await generateRepo({ ci: 'gitlab', cloud: 'aws' });
    const repo = await loadRepoView(dir);
    const original = await repo.read('.gitlab-ci.yml');
    const edited = mutate(original);
    expect(edited).not.toBe(original);
    return { ...repo, read: async (path) => (path === '.gitlab-ci.yml' ? edited : repo.read(path)) };
  }

  it('a schema error (a job with an unknown keyword)', async () => {
    const repo = await brokenRepo((text) => text.replace('lint:\n  stage: lint\n', 'lint:\n  stage: lint\n  scripts: [oops]\n'));
    const result = await gitlabCiCheck.run(repo);
    expect(result.status).toBe('failed');
    expect(result.findings[0]?.file).toBe('.gitlab-ci.yml');
    expect(result.findings[0]?.message).toMatch(/scripts|additional|schema/i);
  });

  it.runIf(shellcheckInstalled)('shellcheck: an unquoted variable in a job script, on its line', async () => {
    const repo = await brokenRepo((text) => text.replace('    - make typecheck\n', '    - make typecheck\n    - cd $BUILD_DIR\n'));
    const result = await gitlabShellcheckCheck.run(repo);
    expect(result.status).toBe('failed');
    const finding = result.findings.find((entry) => /SC2086/.test(entry.message));
    expect(finding?.message).toMatch(/^lint\.script/);
    expect((await repo.read('.gitlab-ci.yml')).split('\n')[(finding?.line ?? 0) - 1]).toContain('cd $BUILD_DIR');
  });

  it('security rules: an unpinned image, a stored key, an interruptible deploy, a job without timeout', async () => {
    const repo = await brokenRepo((text) =>
      text
        .replace(/image: docker:[\d.]+\n/, 'image: docker:latest\n')
        .replace('  PIP_DISABLE_PIP_VERSION_CHECK: "1"\n', '  PIP_DISABLE_PIP_VERSION_CHECK: "1"\n  AWS_SECRET_ACCESS_KEY: $AWS_SECRET_ACCESS_KEY\n')
        .replace('  # Deploys are never cancelled, and one environment takes one deploy at a time.\n  interruptible: false\n', '')
        .replace('default:\n  interruptible: true\n  timeout: 30 minutes\n', 'default:\n  interruptible: true\n')
        .replace('  extends: [.python, .checks]\n  timeout: 15 minutes\n', '  extends: [.python, .checks]\n'),
    );
    const messages = (await gitlabSecurityCheck.run(repo)).findings.map((finding) => finding.message).join('\n');
    expect(messages).toMatch(/docker:latest, which is not pinned/);
    expect(messages).toMatch(/AWS_SECRET_ACCESS_KEY is a long-lived cloud key/);
    expect(messages).toMatch(/Deploy job deploy-staging can be cancelled/);
    expect(messages).toMatch(/Job lint has no timeout/);
  });

  it('an unpinned image in a template that jobs extend is one finding, on the line that names it', async () => {
    const repo = await brokenRepo((text) => text.replace('.python:\n  image: python:3.12.12-slim-trixie\n', '.python:\n  image: python:latest\n'));
    const findings = (await gitlabSecurityCheck.run(repo)).findings.filter((finding) => /not pinned/.test(finding.message));
    expect(findings.map((finding) => finding.message)).toEqual(['.python uses the image python:latest, which is not pinned to a version.']);
    expect((await repo.read('.gitlab-ci.yml')).split('\n')[findings[0]!.line! - 1]).toBe('  image: python:latest');
  });

  it('a job in a stage that does not exist', async () => {
    const repo = await brokenRepo((text) => text.replace('  stage: scan\n', '  stage: scann\n'));
    const result = await gitlabCiCheck.run(repo);
    expect(result.status).toBe('failed');
    expect(result.findings[0]?.message).toMatch(/scann/);
  });
});
