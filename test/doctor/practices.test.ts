// The best-practice checklist and doctor's own validators on small fixtures:
// each passes on the baseline and fails on one deliberate violation.

import { describe, expect, test } from 'vitest';
import { registered } from '../../src/doctor/checks.js';
import { oidcCheck } from '../../src/doctor/practices/ci-practices.js';
import { nonRootImageCheck, probesCheck, resourceLimitsCheck } from '../../src/doctor/practices/container-hardening.js';
import { driftMonitoringCheck, qualityGateCheck, rollbackCheck } from '../../src/doctor/practices/ml-lifecycle.js';
import { noSecretsCheck } from '../../src/doctor/practices/no-secrets.js';
import { workflowSecurityCheck } from '../../src/doctor/validators/ci-security.js';
import { dockerfileCheck } from '../../src/doctor/validators/dockerfile.js';
import { ruffCheck } from '../../src/doctor/validators/ruff.js';
import { edit, runOn } from './fixture-repo.js';

const everyPractice = [nonRootImageCheck, probesCheck, resourceLimitsCheck, oidcCheck, qualityGateCheck, driftMonitoringCheck, rollbackCheck, noSecretsCheck, dockerfileCheck];

describe('baseline fixture', () => {
  test.each(everyPractice.map((check) => [registered(check).id, check] as const))('%s passes', async (_id, check) => {
    const result = await runOn(check);
    expect(result.status, JSON.stringify(result.findings)).toBe('passed');
  });
});

describe('practice.no-secrets', () => {
  test('fails on a committed AWS access key, with the line', async () => {
    // Built at run time so this test file itself holds no key-shaped string.
    const key = ['AKIA', 'Z'.repeat(4), '7'.repeat(12)].join('');
    const result = await runOn(noSecretsCheck, { 'src/svc/config.py': `REGION = "us-east-1"\nKEY = "${key}"\n` });
    expect(result.findings).toEqual([expect.objectContaining({ file: 'src/svc/config.py', line: 2, message: expect.stringContaining('AWS access key') })]);
  });

  test('fails on a private key, a service-account JSON and a .env file', async () => {
    const result = await runOn(noSecretsCheck, {
      'deploy/key.txt': `-----BEGIN ${'RSA PRIVATE'} KEY-----\nabc\n`,
      'sa.json': JSON.stringify({ type: 'service_account', private_key: 'x' }, null, 2),
      '.env': 'TOKEN=1\n',
      '.env.example': 'TOKEN=\n',
    });
    expect(result.findings.map((finding) => finding.file).sort()).toEqual(['.env', 'deploy/key.txt', 'sa.json']);
  });

  test('without git, a .env that .gitignore ignores is not committed', async () => {
    const result = await runOn(noSecretsCheck, { '.env': 'TOKEN=1\n', '.gitignore': '.env\n' });
    expect(result.status).toBe('passed');
  });
});

describe('CI practices', () => {
  test('one unpinned action is one finding with one fix (practice.workflow-security, the only pinning rule)', async () => {
    const baseline = await runOn(workflowSecurityCheck);
    const result = await runOn(workflowSecurityCheck, edit('.github/workflows/ci.yml', /actions\/checkout@[0-9a-f]{40}/, 'actions/checkout@v4'));
    const added = result.findings.filter((finding) => !baseline.findings.some((other) => other.message === finding.message && other.line === finding.line));
    expect(added).toEqual([expect.objectContaining({ file: '.github/workflows/ci.yml', line: 17, message: expect.stringContaining('actions/checkout@v4'), fix: expect.stringContaining('40-hex commit') })]);
    // No other registered check reports pinning any more.
    expect(registered(workflowSecurityCheck).id).toBe('practice.workflow-security');
  });

  test('practice.oidc fails on stored AWS keys and without id-token', async () => {
    const result = await runOn(oidcCheck, edit('.github/workflows/ci.yml', '      id-token: write\n', '      id-token: none\n    env:\n      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n'));
    expect(result.findings.map((finding) => finding.message)).toEqual([expect.stringContaining('AWS access keys'), expect.stringContaining('id-token: write')]);
  });

  test('practice.oidc does not apply to cloud local', async () => {
    const result = await runOn(oidcCheck, {}, { cloud: 'local', region: null });
    expect(result.status).toBe('skipped');
    expect(result.reason).toContain('local');
  });

  test('top-level write permissions are one finding of practice.workflow-security', async () => {
    const baseline = await runOn(workflowSecurityCheck);
    const result = await runOn(workflowSecurityCheck, edit('.github/workflows/ci.yml', 'permissions:\n  contents: read\nenv', 'permissions:\n  contents: write\nenv'));
    const added = result.findings.filter((finding) => !baseline.findings.some((other) => other.message === finding.message && other.line === finding.line));
    expect(added).toEqual([expect.objectContaining({ line: 7, message: expect.stringContaining('grant write access to every job') })]);
  });

  test('practice.quality-gate fails when CI promotes before evaluating', async () => {
    const result = await runOn(qualityGateCheck, edit('.github/workflows/ci.yml', 'make evaluate && make promote', 'make promote'));
    expect(result.findings).toEqual([expect.objectContaining({ file: '.github/workflows/ci.yml', line: 21 })]);
  });

  test('practice.drift-monitoring fails when nothing schedules the drift check', async () => {
    const result = await runOn(driftMonitoringCheck, edit('.github/workflows/ci.yml', /  schedule:\n.*\n/, ''));
    expect(result.status).toBe('failed');
  });

  test('practice.rollback fails without a Makefile target', async () => {
    const result = await runOn(rollbackCheck, edit('Makefile', /rollback:\n.*\n/, ''));
    expect(result.findings[0]).toMatchObject({ file: 'Makefile', message: expect.stringContaining('rollback') });
  });
});

describe('image practices and the Dockerfile validator', () => {
  test('practice.non-root fails when the image runs as root', async () => {
    const result = await runOn(nonRootImageCheck, edit('Dockerfile', 'USER 10001:10001', 'USER root'));
    expect(result.findings).toEqual([expect.objectContaining({ file: 'Dockerfile', line: 4 })]);
  });

  test('practice.probes and practice.resources fail on a bare container', async () => {
    const bare = edit('deploy/k8s/base/model-server.yaml', /          readinessProbe:[\s\S]*$/, '\n');
    expect((await runOn(probesCheck, bare)).findings).toHaveLength(2);
    expect((await runOn(resourceLimitsCheck, bare)).findings[0]!.message).toContain('requests.cpu, requests.memory, limits.memory');
  });

  test('validator.dockerfile reports unknown instructions, shell-form CMD and unpinned bases', async () => {
    const result = await runOn(dockerfileCheck, { Dockerfile: 'FROM python\nEXPOSE 8000\nFOO bar\nCMD uvicorn svc.serving.app:app\n' });
    expect(result.findings.map((finding) => finding.line)).toEqual([3, 1, 4]);
  });

  test('validator.ruff reports why it is skipped when no ruff exists', async () => {
    const result = await runOn(ruffCheck);
    if (result.status === 'skipped') expect(result.reason).toContain('ruff not available');
    else console.log(`ruff found (${result.reason}); status ${result.status}`), expect(['passed', 'failed']).toContain(result.status);
  });
});
