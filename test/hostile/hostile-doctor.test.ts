// Two kinds of hostility. First, repositories generated with dense hostile
// description and author still pass every doctor check that the same
// repository with plain text passes. Second, a repository cloned from a
// stranger: tools planted in it (.venv/bin/ruff, PATH entries `.` and `bin`
// and inside the tree), a .git/config whose fsmonitor, hooks and pager would
// run programs, symbolic links out of the tree, a FIFO at Dockerfile, a socket,
// an oversized file, escape sequences in file contents, file names and
// answers, and an interrupted run's leftovers. The built CLI must run none of
// it, never hang, exit 1 naming each thing, and print nothing that drives the
// terminal.

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor/report.js';
import { execa } from 'execa';
import { assertBuilt, binPath, mlforge } from '../helpers/cli.js';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import { runDoctor } from '../../src/doctor/run-doctor.js';
import type { CheckResult } from '../../src/doctor/types.js';
import type { Answers } from '../../src/questions/table.js';
import { writePlan } from '../../src/write/write-plan.js';
import { planFor } from '../helpers/generate.js';

const description =
  `"Quoted" start: \${{ secrets.TOKEN }} $CI_JOB_TOKEN {{name}} \\{{x}} {% raw %} &a *a !!str ? - | > # c: ` +
  `$(id) \`id\` \\ C:\\tmp \${var.x} %{ if } $\${y} """ ''' <b>yes</b> null 0x1F 🚀 שלום`; // U+061C and other format characters are rejected by `new` (rejected-values.test.ts)
const author = `'O'Brien' & "Co" \${{ github.actor }} \\ # : {{x}} $HOME ~ yes`;

const combinations: Array<Partial<Answers>> = [
  { cloud: 'aws', ci: 'github', serving: 'fastapi', rollout: 'canary', monitoring: true, dvc: true },
  { cloud: 'gcp', ci: 'gitlab', serving: 'kserve', monitoring: true, gpu: true },
  { cloud: 'azure', ci: 'gitlab', serving: 'fastapi', rollout: 'rolling', monitoring: false, dvc: true },
  { cloud: 'local', ci: 'github', serving: 'fastapi', rollout: 'canary', monitoring: true },
];

async function doctorFailures(answers: Partial<Answers>): Promise<string[]> {
  const plan = await planFor({ name: 'hostile-svc', ...answers });
  const dir = join(await mkdtemp(join(tmpdir(), 'mlforge-hostile-doctor-')), 'hostile-svc');
  await writePlan(plan, dir, { force: false });
  const results: CheckResult[] = await runDoctor(await loadRepoView(dir), { concurrency: 2 });
  return results
    .filter((result) => result.status === 'failed')
    .flatMap((result) =>
      result.findings.length === 0
        ? [`${result.id}: ${result.reason ?? 'failed'}`]
        : result.findings.map((finding) => `${result.id}: ${finding.file}: ${finding.message}`),
    );
}

describe.each(combinations)('hostile free text, $cloud $ci $serving', (combination) => {
  it('adds no doctor failure over the same repository with plain text', { timeout: 600_000 }, async () => {
    expect(description.length).toBeLessThanOrEqual(200);
    expect(author.length).toBeLessThanOrEqual(100);
    const plain = new Set(await doctorFailures({ ...combination, description: 'A plain description.', author: 'Plain Author' }));
    const hostile = await doctorFailures({ ...combination, description, author });
    expect(hostile.filter((failure) => !plain.has(failure))).toEqual([]);
  });
});

// ---- a repository cloned from a stranger ------------------------------------------------

/** Every program the repository plants writes its own marker here; none may appear. */
const markerScript = (markers: string, name: string) => `#!/bin/sh\ntouch '${markers}/${name}'\nexit 0\n`;
const plantedTools = ['ruff', 'zizmor', 'hadolint', 'checkov', 'git', 'kubectl', 'terraform', 'shellcheck', 'node'];
/** Raw control characters: ESC sequences (clear screen, recolour, set title), a C1 CSI and a bidi override. */
const hostileText = '\u001b[2J\u001b[31mFAKE\u001b]0;pwned\u0007\u009b31m\u202egnp.exe';

interface Hostile {
  dir: string;
  markers: string;
  env: Record<string, string>;
  cases: string[];
  socket?: Server;
}

async function hostileRepository(): Promise<Hostile> {
  const base = await mkdtemp(join(tmpdir(), 'mlforge-stranger-'));
  const dir = join(base, 'churn');
  const markers = join(base, 'markers');
  mkdirSync(markers);
  const created = await mlforge(['new', dir, '--yes', '--no-git', '--quiet']);
  expect(created.exitCode, String(created.stderr)).toBe(0);
  const cases: string[] = [];
  const plant = (path: string, text: string, mode = 0o755) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
    chmodSync(join(dir, path), mode);
  };
  // Tools inside the tree: the repository's virtualenv, its root (PATH "."), a bin/ on PATH (relative and absolute).
  plant('.venv/bin/ruff', markerScript(markers, 'venv-ruff'));
  cases.push('.venv/bin/ruff');
  for (const tool of plantedTools) {
    plant(tool, markerScript(markers, `root-${tool}`));
    plant(`bin/${tool}`, markerScript(markers, `bin-${tool}`));
    cases.push(`./${tool} via PATH "."`, `bin/${tool} via PATH "bin" and an absolute PATH entry into the tree`);
  }
  // git: a real repository whose config would run programs on ls-files, on hooks and through the pager.
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' }, stdio: 'pipe' });
  git('init', '-q', '.');
  git('-c', 'user.name=stranger', '-c', 'user.email=s@example.com', 'commit', '-q', '--allow-empty', '-m', 'init');
  plant('.githooks/post-index-change', markerScript(markers, 'hook-post-index-change'));
  plant('.git/hooks/post-index-change', markerScript(markers, 'git-hook-post-index-change'));
  git('config', 'core.fsmonitor', `touch '${markers}/fsmonitor'; echo`);
  git('config', 'core.hooksPath', '.githooks');
  git('config', 'core.pager', `touch '${markers}/pager'; cat`);
  git('config', 'alias.ls-files', `!touch '${markers}/alias'`);
  cases.push('.git/config core.fsmonitor', '.git/config core.hooksPath + hooks', '.git/config core.pager', '.git/hooks/post-index-change');
  // Links out of the tree, a directory link to / (a followed walk would never end), a link inside the tree.
  symlinkSync('/etc/passwd', join(dir, 'etc-passwd'));
  symlinkSync('/', join(dir, 'root-of-everything'));
  rmSync(join(dir, 'README.md'));
  symlinkSync('../../../../etc/hostname', join(dir, 'README.md'));
  symlinkSync('pyproject.toml', join(dir, 'inner-link.toml'));
  cases.push('symlink to /etc/passwd', 'directory symlink to /', 'README.md as a relative symlink out of the tree', 'symlink inside the tree');
  // A FIFO where the Dockerfile goes: a blocking open would hang doctor forever.
  rmSync(join(dir, 'Dockerfile'));
  execFileSync('mkfifo', [join(dir, 'Dockerfile')]);
  cases.push('FIFO at Dockerfile');
  // A socket, and (when the file system allows) a character device.
  const socket = createServer();
  await new Promise<void>((resolve) => socket.listen(join(dir, 'agent.sock'), resolve));
  cases.push('unix socket');
  try {
    execFileSync('mknod', [join(dir, 'zero'), 'c', '1', '5'], { stdio: 'pipe' });
    cases.push('character device (/dev/zero)');
  } catch {
    console.log('skipped: mknod not permitted here (character-device case)');
  }
  // An oversized file.
  plant('data/big.csv', 'x,y\n'.repeat(700_000), 0o644);
  cases.push('3 MB file');
  // Escape sequences in a workflow value that doctor quotes, and in a file name doctor names.
  const workflow = join(dir, '.github/workflows/ci.yml');
  const text = execFileSync('cat', [workflow], { encoding: 'utf8' });
  writeFileSync(workflow, text.replace(/uses: actions\/checkout@[0-9a-f]{40}/, `uses: actions/checkout@v4${hostileText.replace(/\u0007/g, '')}`));
  plant(`config/${hostileText}.p12`, 'not really a key store\n', 0o644);
  cases.push('ANSI/C1/bidi in file contents', 'ANSI/C1/bidi in a file name');
  // Control characters in an answer (YAML escapes: the file itself is valid YAML).
  const provenance = join(dir, '.mlforge.yml');
  const yaml = execFileSync('cat', [provenance], { encoding: 'utf8' });
  writeFileSync(provenance, yaml.replace(/^(\s+description:).*$/m, '$1 "A service\\e[2J\\e[31m\\x9b1m\\u202Eevil"'));
  cases.push('.mlforge.yml answer with control characters');
  // A staging directory of a killed run beside the target, and a half-written file inside.
  mkdirSync(join(base, '.churn.mlforge-999999-deadbeef'));
  plant('src/leftover.py.mlforge-0badc0de', '', 0o644);
  cases.push('staging directory of a killed run', 'half-written file of a killed run');

  const path = ['.', 'bin', join(dir, 'bin'), '', ...String(process.env.PATH).split(delimiter)].join(delimiter);
  return { dir, markers, env: { PATH: path, NO_COLOR: '', FORCE_COLOR: '1' }, cases, socket };
}

/** The built CLI by absolute node path, inside the repository, with the hostile PATH (`.` and `bin` first). */
function doctorIn(hostile: Hostile, args: string[], timeout: number) {
  return execa(process.execPath, [binPath, 'doctor', hostile.dir, ...args], { cwd: hostile.dir, env: { ...process.env, ...hostile.env }, extendEnv: false, reject: false, stdin: 'ignore', timeout });
}

describe('mlforge doctor on a repository cloned from a stranger (built CLI)', () => {
  let hostile: Hostile;
  beforeAll(async () => {
    assertBuilt();
    hostile = await hostileRepository();
  }, 120_000);
  afterAll(() => hostile?.socket?.close());

  it('the planted git configuration is live: plain git in the repository runs it', () => {
    // Control: proves the fixture is hostile, so the doctor runs below prove something.
    const probe = join(hostile.markers, 'fsmonitor');
    execFileSync('/usr/bin/env', ['git', 'ls-files', '--others'], { cwd: hostile.dir, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' }, stdio: 'pipe' });
    expect(existsSync(probe)).toBe(true);
    for (const marker of readdirSync(hostile.markers)) rmSync(join(hostile.markers, marker));
  });

  it('runs nothing from the repository, never hangs, exits 1 and names every hostile path', { timeout: 300_000 }, async () => {
    const started = performance.now();
    const result = await doctorIn(hostile, ['--json'], 240_000);
    const seconds = (performance.now() - started) / 1000;
    console.log(`hostile repository: ${hostile.cases.length} hostile cases, doctor finished in ${seconds.toFixed(1)} s (exit ${result.exitCode})`);
    expect(readdirSync(hostile.markers)).toEqual([]);
    expect(result.timedOut).toBe(false);
    expect(result.exitCode, String(result.stderr)).toBe(1);
    const raw = String(result.stdout);
    // --json stays valid and inert: no raw ESC, C1 or bidi character reaches the terminal.
    expect(raw).not.toMatch(/[\u001b\u0007\u0080-\u009f\u202e]/);
    const report = JSON.parse(raw) as DoctorReport;
    const findings = report.checks.flatMap((check) => check.findings.map((finding) => ({ check: check.id, ...finding })));
    const named = (check: string, file: string | RegExp, message: RegExp) =>
      expect(findings, `${check} ${String(file)}`).toContainEqual(expect.objectContaining({ check, file: typeof file === 'string' ? file : expect.stringMatching(file), message: expect.stringMatching(message) }));
    named('repository.regular-files', 'etc-passwd', /symbolic link to \/etc\/passwd, outside the repository/);
    named('repository.regular-files', 'root-of-everything', /symbolic link to \/, outside the repository/);
    named('repository.regular-files', 'README.md', /symbolic link to .*etc\/hostname, outside the repository/);
    named('repository.regular-files', 'inner-link.toml', /symbolic link \(to pyproject\.toml\)/);
    named('repository.regular-files', 'Dockerfile', /FIFO/);
    named('repository.regular-files', 'agent.sock', /socket/);
    if (hostile.cases.includes('character device (/dev/zero)')) named('repository.regular-files', 'zero', /character device/);
    named('repository.regular-files', 'data/big.csv', /over doctor's limit/);
    named('repository.answers', '.mlforge.yml', /answers\.description holds characters mlforge new rejects/);
    named('repository.leftovers', /\.churn\.mlforge-999999-deadbeef$/, /staging directory of an interrupted mlforge run/);
    named('repository.leftovers', 'src/leftover.py.mlforge-0badc0de', /half-written file/);
    named('practice.workflow-security', '.github/workflows/ci.yml', /actions\/checkout@v4\u001b\[2J/);
    named('practice.no-secrets', /^config\/\u001b\[2J.*\.p12$/, /looks like a key or certificate store/);
    // The missing Dockerfile (a FIFO stands there) is a failure, never a hang or a pass.
    named('validator.dockerfile', 'Dockerfile', /^Missing/);
    // Tools came from outside the repository or were reported unavailable.
    const ruff = report.checks.find((check) => check.id === 'validator.ruff')!;
    if (ruff.status === 'skipped') expect(ruff.reason).toMatch(/^ruff not available \(not on PATH outside the repository/);
    else expect(ruff.reason).not.toContain(hostile.dir);
    expect(seconds).toBeLessThan(200);
  });

  it('prints a human report with every control character escaped', { timeout: 300_000 }, async () => {
    const result = await doctorIn(hostile, ['--only', 'repository,practice.workflow-security,practice.no-secrets'], 120_000);
    expect(readdirSync(hostile.markers)).toEqual([]);
    expect(result.exitCode).toBe(1);
    const out = String(result.stdout);
    // Colour is on (FORCE_COLOR) and must be the only escape sequence: SGR codes mlforge itself writes.
    expect(out.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(out).toContain('actions/checkout@v4\\e[2J\\e[31mFAKE');
    expect(out).toContain('\\u{202e}');
    expect(out).toContain('answers.description');
    expect(String(result.stderr)).not.toMatch(/[\u001b\u202e]/);
  });

  it('prints leftover fixes that work when run', { timeout: 120_000 }, async () => {
    const result = await doctorIn(hostile, ['--json', '--only', 'repository.leftovers'], 60_000);
    const report = JSON.parse(String(result.stdout)) as DoctorReport;
    const fixes = report.checks[0]!.findings.map((finding) => /`([^`]+)`/.exec(finding.fix ?? '')?.[1]);
    expect(fixes).toHaveLength(2);
    for (const fix of fixes) execFileSync('sh', ['-c', fix!], { cwd: hostile.dir });
    const again = await doctorIn(hostile, ['--json', '--only', 'repository.leftovers'], 60_000);
    expect(again.exitCode).toBe(0);
  });
});
