// checkov in `mlforge doctor`: generated repositories pass it with no failed
// check (Terraform of every cloud, the built Kubernetes overlays, the
// Dockerfile, the CI configuration); planted mistakes in each kind of file are
// caught at the file that defines them; a skip without a reason and a
// repository `.checkov.yaml` do not excuse anything; the JSON reader fails on
// output it does not know instead of passing. The real checkov comes from PATH
// (.ci/run installs it at the version templates/versions/service.yml pins);
// without it these tests say so and skip.

import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import { runCheck } from '../../src/doctor/run-doctor.js';
import { createToolRunner } from '../../src/doctor/tools/tool-runner.js';
import type { Finding, RepoView } from '../../src/doctor/types.js';
import { checkovCheck, readCheckovReport } from '../../src/doctor/validators/checkov.js';
import type { Answers } from '../../src/questions/table.js';
import type { ExecFunction } from '../../src/ui/context.js';
import { execWithExeca } from '../../src/ui/context.js';
import { generateRepo, templates } from '../helpers/generate.js';

const probe = await createToolRunner({ exec: execWithExeca, env: process.env, repoRoot: mkdtempSync(join(tmpdir(), 'mlforge-checkov-probe-')) }).probe('checkov');
if (!probe.ok) console.log(`skipped: the checkov tests need it on PATH (.ci/run installs it): ${probe.reason}`);
else {
  const pinned = String((await templates()).versions.service?.checkov ?? '');
  if (!probe.version.includes(pinned)) console.log(`note: checkov on PATH is "${probe.version}", generated CI pins ${pinned}`);
}
const hasCheckov = probe.ok;

const ids = (findings: Finding[]) => findings.map((finding) => /^checkov (\S+)/.exec(finding.message)?.[1]);

/** A generated repository whose files read as `edits` made them (checkov gets that text). */
async function withEdits(answers: Partial<Answers>, edits: Record<string, (text: string) => string>): Promise<RepoView> {
  const { dir } = await generateRepo(answers);
  const repo = await loadRepoView(dir);
  const texts = new Map<string, string>();
  for (const [file, edit] of Object.entries(edits)) {
    const original = await repo.read(file);
    const edited = edit(original);
    expect(edited, `the edit of ${file} must change it`).not.toBe(original);
    texts.set(file, edited);
  }
  return { ...repo, read: async (path) => texts.get(path) ?? repo.read(path) };
}

const openSsh = [
  'resource "aws_security_group" "planted" {',
  '  name        = "planted"',
  '  description = "planted by a test"',
  '  ingress {',
  '    description = "ssh from anywhere"',
  '    from_port   = 22',
  '    to_port     = 22',
  '    protocol    = "tcp"',
  '    cidr_blocks = ["0.0.0.0/0"]',
  '  }',
  '}',
  '',
].join('\n');

describe.skipIf(!hasCheckov)('generated repositories pass checkov with no failed check', () => {
  test.each([
    [{}],
    [{ cloud: 'gcp', ci: 'gitlab', serving: 'kserve', dvc: true }],
    [{ cloud: 'azure', rollout: 'canary', gpu: true }],
    [{ cloud: 'local', ci: 'gitlab' }],
  ] as Array<[Partial<Answers>]>)('%j', async (combo) => {
    const repo = await loadRepoView((await generateRepo(combo)).dir);
    const result = await checkovCheck.run(repo);
    expect(result.findings, JSON.stringify(result.findings, null, 2)).toEqual([]);
    expect(result.status, result.reason).toBe('passed');
    // The Kubernetes objects were scanned as built (not skipped for want of kubectl).
    expect(result.reason).not.toMatch(/not scanned/);
  });
});

describe.skipIf(!hasCheckov)('checkov catches planted mistakes, at the file that defines them', () => {
  test('Terraform: SSH open to the internet, at its resource', async () => {
    const repo = await withEdits({}, { 'infra/terraform/main.tf': (text) => `${text}\n${openSsh}` });
    const result = await checkovCheck.run(repo);
    expect(result.status).toBe('failed');
    const text = await repo.read('infra/terraform/main.tf');
    const line = text.split('\n').indexOf('resource "aws_security_group" "planted" {') + 1;
    expect(result.findings).toContainEqual(expect.objectContaining({ file: 'infra/terraform/main.tf', line, message: expect.stringMatching(/^checkov CKV_AWS_24: .*\(aws_security_group\.planted\)$/) }));
  });

  test('Terraform: a skip without a reason is a finding; one with its reason excuses the check', async () => {
    const skipped = await withEdits({}, { 'infra/terraform/main.tf': (text) => `${text}\n${openSsh.replace('{\n', '{\n  #checkov:skip=CKV_AWS_24\n')}` });
    const unexplained = await checkovCheck.run(skipped);
    expect(ids(unexplained.findings)).not.toContain('CKV_AWS_24:');
    expect(unexplained.findings).toContainEqual(expect.objectContaining({ message: 'checkov CKV_AWS_24 is skipped without a reason (aws_security_group.planted)', fix: expect.stringContaining('#checkov:skip=CKV_AWS_24:<reason>') }));
    const explained = await withEdits({}, { 'infra/terraform/main.tf': (text) => `${text}\n${openSsh.replace('{\n', '{\n  #checkov:skip=CKV_AWS_24:a test of the inline skip\n')}` });
    expect((await checkovCheck.run(explained)).findings.filter((finding) => finding.message.includes('CKV_AWS_24'))).toEqual([]);
   }, 300_000);

  test('Kubernetes: privilege escalation on the model server, at its source file, once for both overlays', async () => {
    const file = 'deploy/k8s/base/model-server.yaml';
    const repo = await withEdits({ cloud: 'gcp' }, { [file]: (text) => text.replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true') });
    const result = await checkovCheck.run(repo);
    const found = result.findings.filter((finding) => finding.message.startsWith('checkov CKV_K8S_20:'));
    expect(found).toEqual([expect.objectContaining({ file, message: expect.stringMatching(/built from deploy\/k8s\/overlays\/prod and deploy\/k8s\/overlays\/staging$|built from deploy\/k8s\/overlays\/staging and deploy\/k8s\/overlays\/prod$/) })]);
  });

  test('Dockerfile: the last USER is root; workflows: write-all permissions (train.yml: checkov drops ci.yml, and says so)', async () => {
    const repo = await withEdits(
      { cloud: 'local' },
      {
        Dockerfile: (text) => text.replace('EXPOSE', 'USER root\nEXPOSE'),
        '.github/workflows/train.yml': (text) => text.replace('\npermissions: {}\n', '\npermissions: write-all\n'),
      },
    );
    const result = await checkovCheck.run(repo);
    expect(result.findings).toContainEqual(expect.objectContaining({ file: 'Dockerfile', message: expect.stringMatching(/^checkov CKV_DOCKER_8: /) }));
    expect(result.findings).toContainEqual(expect.objectContaining({ file: '.github/workflows/train.yml', message: 'checkov CKV2_GHA_1: Ensure top-level permissions are not set to write-all (on(train))' }));
    expect(result.reason).toContain("checkov's workflow schema rejected .github/workflows/ci.yml, so no checkov check ran on it");
  });

  test('a repository .checkov.yaml cannot switch a check off', async () => {
    const { dir } = await generateRepo({ cloud: 'local' });
    writeFileSync(join(dir, '.checkov.yaml'), 'skip-check:\n  - CKV_DOCKER_8\n  - CKV_K8S_20\n');
    const base = await loadRepoView(dir);
    const repo: RepoView = { ...base, read: async (path) => (path === 'Dockerfile' ? (await base.read(path)).replace('EXPOSE', 'USER root\nEXPOSE') : base.read(path)) };
    expect(ids((await checkovCheck.run(repo)).findings)).toContain('CKV_DOCKER_8:');
  });
});

/** One framework's report as `checkov --output json` prints it. */
function report(framework: string, failed: object[] = [], skipped: object[] = [], parsingErrors: string[] = []) {
  return {
    check_type: framework,
    results: { passed_checks: [], failed_checks: failed, skipped_checks: skipped, parsing_errors: parsingErrors },
    summary: { passed: 3, failed: failed.length, skipped: skipped.length, parsing_errors: parsingErrors.length, resource_count: 1, checkov_version: '3.3.30' },
  };
}
const failedCheck = { check_id: 'CKV_AWS_18', check_name: 'Ensure the S3 bucket has access logging enabled', check_result: { result: 'FAILED' }, file_path: '/infra/terraform/modules/aws/storage/main.tf', file_line_range: [12, 16], resource: 'module.state.aws_s3_bucket.this' };
const skip = (comment: string) => ({ ...failedCheck, check_id: 'CKV_AWS_144', check_result: { result: 'SKIPPED', suppress_comment: comment } });

describe('reading checkov JSON', () => {
  test('failed checks with file, first line and resource; skips counted, and reported only without a reason', () => {
    expect(readCheckovReport(JSON.stringify([report('terraform', [failedCheck], [skip('one region on purpose')]), report('dockerfile')]), 1)).toEqual({
      ok: true,
      passed: 6,
      skipped: 1,
      entries: [{ framework: 'terraform', id: 'CKV_AWS_18', name: 'Ensure the S3 bucket has access logging enabled', file: 'infra/terraform/modules/aws/storage/main.tf', line: 12, resource: 'module.state.aws_s3_bucket.this' }],
      scanned: new Set(['infra/terraform/modules/aws/storage/main.tf']),
    });
    const unexplained = readCheckovReport(JSON.stringify(report('terraform', [], [skip('No comment provided')])), 0);
    expect(unexplained).toMatchObject({ ok: true, entries: [{ id: 'CKV_AWS_144', unexplainedSkip: true }] });
    // With no file of any framework, checkov prints only a summary.
    expect(readCheckovReport('{"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0, "checkov_version": "3.3.30"}', 0)).toEqual({ ok: true, entries: [], passed: 0, skipped: 0, scanned: new Set() });
  });

  test('an unknown exit, text instead of JSON, a file it could not parse, or exits that contradict the report are errors', () => {
    expect(readCheckovReport('[]', 2)).toEqual({ ok: false, reason: 'checkov exited 2' });
    expect(readCheckovReport('', null)).toEqual({ ok: false, reason: 'checkov exited abnormally' });
    expect(readCheckovReport('Passed checks: 3', 0)).toMatchObject({ ok: false, reason: expect.stringContaining('no JSON report') });
    expect(readCheckovReport(JSON.stringify(report('kubernetes', [], [], ['/mlforge-built/staging.yaml'])), 0)).toEqual({ ok: false, reason: 'checkov could not parse 1 kubernetes file (/mlforge-built/staging.yaml)' });
    expect(readCheckovReport(JSON.stringify(report('terraform')), 1)).toMatchObject({ ok: false, reason: expect.stringContaining('lists none') });
    expect(readCheckovReport(JSON.stringify(report('terraform', [failedCheck])), 0)).toMatchObject({ ok: false, reason: expect.stringContaining('exited 0') });
    expect(readCheckovReport(JSON.stringify({ check_type: 'terraform', results: {} }), 0)).toMatchObject({ ok: false });
    expect(readCheckovReport(JSON.stringify(report('terraform', [{ check_id: 'CKV_1' }])), 1)).toMatchObject({ ok: false, reason: expect.stringContaining('without id, file or resource') });
  });
});

describe('through the check, with a fake checkov', () => {
  test.each([
    [0, 'not json'],
    [2, ''],
    [1, JSON.stringify(report('terraform'))],
  ] as const)('exiting %i with %j fails the check with the reason; it ran with an empty HOME and no download', async (exitCode, stdout) => {
    const system = mkdtempSync(join(tmpdir(), 'mlforge-fake-checkov-'));
    mkdirSync(system, { recursive: true });
    writeFileSync(join(system, 'checkov'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(system, 'checkov'), 0o755);
    const calls: Array<{ args: string[]; home?: string }> = [];
    const exec: ExecFunction = async (_file, args, options) => {
      calls.push({ args, home: options?.env?.HOME });
      if (args[0] === '--version') return { ok: true, exitCode: 0, stdout: '3.3.30\n', stderr: '' };
      return { ok: exitCode === 0, exitCode, stdout, stderr: 'something went wrong\n' };
    };
    const repo = await loadRepoView((await generateRepo({ cloud: 'local' })).dir, { exec, env: { PATH: system } });
    const result = await runCheck(checkovCheck, repo, 30_000);
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/^checkov .*something went wrong$/);
    const run = calls.at(-1)!;
    expect(run.args).toEqual(expect.arrayContaining(['--skip-download', '--framework', 'terraform', 'kubernetes', 'dockerfile', 'github_actions', 'gitlab_ci']));
    expect(run.home).toMatch(/mlforge-doctor-copy-.*\.mlforge-home$/);
  });

  test('without checkov the check is skipped with the way to install it', async () => {
    const repo = await loadRepoView((await generateRepo({})).dir, { env: { PATH: mkdtempSync(join(tmpdir(), 'mlforge-empty-path-')) } });
    expect(await checkovCheck.run(repo)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('pipx install checkov') });
  });
});
