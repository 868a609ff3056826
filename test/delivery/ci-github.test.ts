// Generated GitHub Actions workflows, for every core combination and the
// toggles that change them, pass actionlint, shellcheck and the security rules;
// each check is also shown to catch a broken workflow.

import { execaSync } from 'execa';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import type { Check, RepoView } from '../../src/doctor/types.js';
import { workflowSecurityCheck } from '../../src/doctor/validators/ci-security.js';
import { actionlintCheck, maskExpressions, shellcheckCheck } from '../../src/doctor/validators/github-actions.js';
import type { Answers } from '../../src/questions/table.js';
import { coreMatrix, generateRepo, planFor } from '../helpers/generate.js';

const shellcheckInstalled = execaSync('shellcheck', ['--version'], { reject: false }).exitCode === 0;
if (!shellcheckInstalled) console.warn('shellcheck is not installed: shellcheck findings are asserted as a skipped check (apt-get install -y shellcheck)');

const githubCombos: Array<Partial<Answers>> = [
  ...coreMatrix().filter((combo) => combo.ci === 'github'),
  // Toggles that change the workflows: drift job, DVC pull, GPU timeouts, Python version.
  { ci: 'github', cloud: 'aws', monitoring: false, dvc: true, gpu: true, python: '3.11' },
  { ci: 'github', cloud: 'gcp', monitoring: true, dvc: true, python: '3.13' },
  { ci: 'github', cloud: 'azure', serving: 'kserve', monitoring: false, dvc: true, gpu: true },
  { ci: 'github', cloud: 'local', monitoring: false, dvc: true, python: '3.11' },
];

/** A repository on disk with `mutate` applied to one file. */
async function withEditedFile(file: string, mutate: (text: string) => string): Promise<RepoView> {
  const { dir } = await generateRepo({ ci: 'github', cloud: 'aws' });
  const repo = await loadRepoView(dir);
  const original = await repo.read(file);
  const edited = mutate(original);
  expect(edited, 'the mutation must change the file').not.toBe(original);
  return { ...repo, read: async (path) => (path === file ? edited : repo.read(path)) };
}

async function runCheck(check: Check, repo: RepoView) {
  expect(check.applies(repo)).toBe(true);
  return check.run(repo);
}

describe.each(githubCombos)('GitHub workflows for %o', (combo) => {
  it('pass actionlint, shellcheck and the security rules', async () => {
    const { dir } = await generateRepo(combo);
    try {
      const repo = await loadRepoView(dir);
      const workflows = repo.files.filter((file) => file.startsWith('.github/workflows/'));
      const expected = ['ci.yml', 'cd.yml', 'train.yml', ...(repo.answers.cloud === 'local' ? [] : ['infra.yml'])];
      expect(workflows.map((file) => file.replace('.github/workflows/', '')).sort()).toEqual(expected.sort());
      expect(repo.exists('.github/dependabot.yml')).toBe(true);
      expect(repo.exists('.gitlab-ci.yml')).toBe(false);

      const lint = await runCheck(actionlintCheck, repo);
      expect(lint.findings).toEqual([]);
      expect(lint.status).toBe('passed');

      const shell = await runCheck(shellcheckCheck, repo);
      expect(shell.findings).toEqual([]);
      expect(shell.status).toBe(shellcheckInstalled ? 'passed' : 'skipped');

      const security = await runCheck(workflowSecurityCheck, repo);
      expect(security.findings).toEqual([]);
      expect(security.status).toBe('passed');
    } finally {
      await rm(dirname(dir), { recursive: true, force: true });
    }
  });
});

describe('GitHub workflows agree with the derived values', () => {
  it.each(githubCombos)('%o', async (combo) => {
    const plan = await planFor(combo);
    const file = (path: string) => plan.files.find((entry) => entry.path === path)?.contents ?? '';
    const ci = file('.github/workflows/ci.yml');
    const a = plan.answers;
    const workflow = parseYaml(ci) as { env: Record<string, string> };
    expect(workflow.env.PYTHON_VERSION).toBe(a.python);
    expect(workflow.env.IMAGE_NAME).toBe(a.name);
    const smoke = file('.github/actions/smoke-test/action.yml');
    expect(smoke).toContain('18080:8000');
    expect(smoke).toContain('/ready');
    const trainWorkflow = file('.github/workflows/train.yml');
    if (a.cloud === 'local') {
      expect(trainWorkflow).toContain(`model \`${a.name}\``);
    } else {
      // Retraining happens in each environment's cluster, through the deploy action: nothing trains or promotes on the runner.
      const jobs = (parseYaml(trainWorkflow) as { jobs: Record<string, { environment?: string; needs?: string[]; steps: Array<{ uses?: string; run?: string; with?: Record<string, string> }> }> }).jobs;
      expect(Object.keys(jobs)).toEqual(['drift', 'staging', 'production']);
      expect(jobs.production!.needs).toEqual(['staging']);
      for (const [job, overlay] of [['staging', 'staging'], ['production', 'prod']] as const) {
        expect(jobs[job]!.environment).toBe(overlay);
        expect(jobs[job]!.steps.find((step) => step.uses === './.github/actions/deploy')?.with).toEqual({ overlay, retrain: 'true' });
      }
      expect(trainWorkflow).not.toMatch(/run: make (train|evaluate|promote)/);
    }
    const githubFiles = plan.files.filter((entry) => entry.path.startsWith('.github/'));
    for (const entry of githubFiles) {
      // Free text never reaches CI files, where GitHub would expand expressions in it.
      expect(entry.contents, entry.path).not.toContain(a.description);
      expect(entry.contents, entry.path).not.toContain(a.author);
    }
    const dependabot = parseYaml(file('.github/dependabot.yml')) as { updates: Array<{ 'package-ecosystem': string }> };
    const ecosystems = dependabot.updates.map((update) => update['package-ecosystem']);
    expect(ecosystems).toEqual(expect.arrayContaining(['uv', 'github-actions', 'docker']));
    expect(ecosystems.includes('terraform')).toBe(a.cloud !== 'local');
    if (a.cloud !== 'local') {
      const deploy = file('.github/actions/deploy/action.yml');
      const host = { aws: `.dkr.ecr.${a.region}.amazonaws.com/${a.name}`, gcp: `${a.region}-docker.pkg.dev/\${GCP_PROJECT_ID}/${a.name}/${a.name}`, azure: '.azurecr.io/' + a.name }[a.cloud];
      expect(deploy).toContain(host);
      expect(ci).toContain(host);
      // Account-derived names come from repository variables, checked before use.
      const registryVariable = { aws: 'AWS_ACCOUNT_ID', gcp: 'GCP_PROJECT_ID', azure: 'AZURE_ACR_NAME' }[a.cloud];
      for (const variable of [registryVariable]) {
        expect(ci).toContain(`${variable}: \${{ vars.${variable} }}`);
        expect(file('.github/workflows/cd.yml')).toContain(`${variable}: \${{ vars.${variable} }}`);
        expect(deploy).toContain(`: "\${${variable}:?`);
      }
    }
  });
});

describe('each check catches a broken workflow', () => {
  const ci = '.github/workflows/ci.yml';

  it('actionlint: an undefined job in needs', async () => {
    const repo = await withEditedFile(ci, (text) => text.replace('needs: [lint, test, train-smoke]', 'needs: [lint, test, no-such-job]'));
    const result = await actionlintCheck.run(repo);
    expect(result.status).toBe('failed');
    expect(result.findings.some((finding) => finding.file === ci && /no-such-job/.test(finding.message))).toBe(true);
  });

  it('local calls: a reusable workflow given an input it does not define, and a local action that does not exist', async () => {
    const repo = await withEditedFile(ci, (text) => text.replace('      git-sha: ${{ github.sha }}\n', '      gitsha: ${{ github.sha }}\n').replace('      - run: make lint', '      - uses: ./.github/actions/no-such-action'));
    const messages = (await actionlintCheck.run(repo)).findings.map((finding) => finding.message).join('\n');
    expect(messages).toMatch(/has no input "gitsha"/);
    expect(messages).toMatch(/no-such-action. points at nothing/);
    const cd = await withEditedFile('.github/workflows/cd.yml', (text) => text.replace('          overlay: staging\n', ''));
    const missing = (await actionlintCheck.run(cd)).findings.map((finding) => finding.message).join('\n');
    expect(missing).toMatch(/requires the input "overlay", which is not passed/);
  });

  it('actionlint and the security rules: github.event.issue.title in run:', async () => {
    const repo = await withEditedFile(ci, (text) => text.replace('      - run: make lint', '      - run: echo "${{ github.event.issue.title }}"'));
    const lint = await actionlintCheck.run(repo);
    expect(lint.findings.some((finding) => /potentially untrusted/.test(finding.message))).toBe(true);
    const security = await workflowSecurityCheck.run(repo);
    const injection = security.findings.find((finding) => /script injection/.test(finding.message));
    expect(injection?.file).toBe(ci);
    const line = (await repo.read(ci)).split('\n')[(injection?.line ?? 0) - 1];
    expect(line).toContain('github.event.issue.title');
  });

  it('security rules: an action pinned to a tag', async () => {
    const repo = await withEditedFile(ci, (text) => text.replace(/actions\/checkout@[0-9a-f]{40} # v[\d.]+/, 'actions/checkout@v4'));
    const result = await workflowSecurityCheck.run(repo);
    expect(result.findings.some((finding) => /actions\/checkout@v4. is not pinned/.test(finding.message))).toBe(true);
  });

  it('security rules: write-all permissions, a persisted token, no timeout, cancelled deploys, stored keys', async () => {
    const repo = await withEditedFile('.github/workflows/cd.yml', (text) =>
      text
        .replace('permissions: {}', 'permissions: write-all')
        .replace('persist-credentials: false', 'persist-credentials: true')
        .replace('    timeout-minutes: 45\n    environment: staging', '    environment: staging')
        .replace('group: deploy-staging\n      cancel-in-progress: false', 'group: deploy-staging\n      cancel-in-progress: true')
        .replace('overlay: staging', 'overlay: staging\n          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}'),
    );
    const messages = (await workflowSecurityCheck.run(repo)).findings.map((finding) => finding.message).join('\n');
    expect(messages).toMatch(/grant write access/);
    expect(messages).toMatch(/persist-credentials is not false/);
    expect(messages).toMatch(/Job staging has no timeout-minutes/);
    expect(messages).toMatch(/can cancel a deploy/);
    expect(messages).toMatch(/AWS_SECRET_ACCESS_KEY holds a long-lived cloud key/);
    expect(messages).toMatch(/aws-secret-access-key takes a stored key/);
  });

  it.runIf(shellcheckInstalled)('shellcheck: an unquoted variable, reported on its workflow line', async () => {
    const repo = await withEditedFile(ci, (text) => text.replace('      - run: make typecheck', '      - run: |\n          echo checking\n          make $MAKE_TARGET'));
    const result = await shellcheckCheck.run(repo);
    expect(result.status).toBe('failed');
    const finding = result.findings.find((entry) => /SC2086/.test(entry.message));
    expect(finding?.file).toBe(ci);
    expect((await repo.read(ci)).split('\n')[(finding?.line ?? 0) - 1]).toContain('make $MAKE_TARGET');
  });

  it('masks expressions without moving columns', () => {
    const script = 'echo "${{ github.sha }}" "$HOME"';
    const masked = maskExpressions(script);
    expect(masked).toHaveLength(script.length);
    expect(masked).not.toContain('${{');
    expect(masked.indexOf('"$HOME"')).toBe(script.indexOf('"$HOME"'));
  });
});
