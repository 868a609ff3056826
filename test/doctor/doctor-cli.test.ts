// `mlforge doctor` end to end through the built CLI: exit codes, the JSON
// report, that it leaves the repository byte-for-byte unchanged, progress on a
// terminal, one finding per root cause, and fixes that work when run.

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { allChecks } from '../../src/doctor/checks.js';
import type { DoctorReport } from '../../src/doctor/report.js';
import { assertBuilt, binPath, mlforge, snapshotTree, tempDir } from '../helpers/cli.js';
import { useOfflineTerraformMirror } from './terraform-config.js';

// terraform validate installs providers as Terraform is configured: here, from the offline mirror.
useOfflineTerraformMirror();

beforeAll(() => assertBuilt());

const doctorTimeout = { timeout: 300_000 };

async function freshRepo(): Promise<string> {
  const dir = join(await tempDir('mlforge-doctor-e2e-'), 'churn');
  const created = await mlforge(['new', dir, '--yes', '--no-git', '--quiet']);
  expect(created.exitCode, String(created.stderr)).toBe(0);
  return dir;
}

function failures(report: DoctorReport): string {
  return report.checks
    .filter((check) => check.status === 'failed')
    .map((check) => `${check.id}: ${check.reason ?? ''} ${check.findings.map((finding) => `${finding.file}:${finding.line ?? ''} ${finding.message}`).join(' | ')}`)
    .join('\n');
}

describe('mlforge doctor (built CLI)', () => {
  let fresh: string;
  beforeAll(async () => {
    fresh = await freshRepo();
  }, 120_000);

  it('passes on a freshly generated repository, reads only, and lists every check in --json', doctorTimeout, async () => {
    const before = await snapshotTree(fresh);
    const started = performance.now();
    const result = await mlforge(['doctor', fresh, '--json'], { timeout: 300_000 });
    const seconds = (performance.now() - started) / 1000;
    console.log(`mlforge doctor on a fresh default repository: ${seconds.toFixed(1)} s wall time`);
    const report = JSON.parse(String(result.stdout)) as DoctorReport;
    expect(report.checks.map((check) => check.id)).toEqual(allChecks.map((check) => check.id));
    for (const check of report.checks) {
      expect(['passed', 'failed', 'skipped']).toContain(check.status);
      if (check.status === 'skipped') expect(check.reason, check.id).toBeTruthy();
    }
    expect(report.summary.total).toBe(allChecks.length);
    expect(await snapshotTree(fresh)).toEqual(before);
    expect(failures(report)).toBe('');
    expect(result.exitCode).toBe(0);
    expect(report.ok).toBe(true);
  });

  it('exits 1 and names the file and line after a port is changed in one place', doctorTimeout, async () => {
    const dir = await freshRepo();
    const service = join(dir, 'deploy/k8s/base/service.yaml');
    await writeFile(service, (await readFile(service, 'utf8')).replace('targetPort: http', 'targetPort: 8081'));
    const json = await mlforge(['doctor', dir, '--json', '--only', 'agreement'], { timeout: 300_000 });
    expect(json.exitCode).toBe(1);
    const report = JSON.parse(String(json.stdout)) as DoctorReport;
    expect(report.ok).toBe(false);
    const port = report.checks.find((check) => check.id === 'agreement.port')!;
    expect(port.status).toBe('failed');
    expect(port.findings).toContainEqual(expect.objectContaining({ file: 'deploy/k8s/base/service.yaml', line: 16, message: expect.stringContaining('8081') }));
    // Human output: grouped, the finding with file:line and a fix; no colour without a terminal.
    const human = await mlforge(['doctor', dir, '--only', 'agreement.port'], { timeout: 300_000 });
    expect(human.exitCode).toBe(1);
    expect(human.stdout).toContain('Cross-file agreement');
    expect(human.stdout).toContain('deploy/k8s/base/service.yaml:16');
    expect(human.stdout).toContain('fix:');
    expect(human.stdout).not.toMatch(/\u001b\[/);
    expect(human.stderr).toContain('agreement.port');
  });

  it('reports one finding for one port edit, wherever the edit is', doctorTimeout, async () => {
    const dir = await freshRepo();
    // EXPOSE is the first place the port is found: it used to be the reference, so every other place was reported.
    const dockerfile = join(dir, 'Dockerfile');
    const text = await readFile(dockerfile, 'utf8');
    expect(text).toContain('EXPOSE 8000');
    await writeFile(dockerfile, text.replace('EXPOSE 8000', 'EXPOSE 8081'));
    const result = await mlforge(['doctor', dir, '--json', '--only', 'agreement.port'], { timeout: 120_000 });
    const report = JSON.parse(String(result.stdout)) as DoctorReport;
    expect(report.checks[0]!.findings).toEqual([expect.objectContaining({ file: 'Dockerfile', message: expect.stringMatching(/^Dockerfile EXPOSE is 8081, but \d+ other places use 8000/), fix: expect.stringContaining('Use port 8000 here') })]);
  });

  it('prints fixes for deleted files that restore them when run', doctorTimeout, async () => {
    const dir = join(await tempDir('mlforge-doctor-restore-'), 'churn');
    expect((await mlforge(['new', dir, '--yes', '--no-git', '--quiet'])).exitCode).toBe(0);
    const before = await snapshotTree(dir);
    await rm(join(dir, 'Dockerfile'));
    await rm(join(dir, '.github/workflows'), { recursive: true });
    const result = await mlforge(['doctor', dir, '--json', '--only', 'agreement.port,validator.actionlint'], { timeout: 120_000 });
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(String(result.stdout)) as DoctorReport;
    const fixes = [...new Set(report.checks.flatMap((check) => check.findings.map((finding) => /`([^`]+)`/.exec(finding.fix ?? '')?.[1])))];
    expect(fixes).toHaveLength(2);
    // `mlforge` on PATH as a user has it, then each printed command from the repository root.
    const shims = await tempDir('mlforge-shim-');
    writeFileSync(join(shims, 'mlforge'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(binPath)} "$@"\n`);
    chmodSync(join(shims, 'mlforge'), 0o755);
    for (const fix of fixes) execFileSync('sh', ['-c', fix!], { cwd: dir, env: { ...process.env, PATH: `${shims}${delimiter}${process.env.PATH}` }, stdio: 'pipe' });
    expect(await snapshotTree(dir)).toEqual(before);
  });

  it('on a terminal, prints one plain line per group as it finishes, before the report', doctorTimeout, async () => {
    if (!existsSync('/usr/bin/script')) return console.log('skipped: script not available (util-linux, pseudo-terminal progress test)');
    const command = [process.execPath, binPath, 'doctor', fresh, '--only', 'repository,agreement,practice'].map((word) => `'${word}'`).join(' ');
    const tty = await execa('script', ['-qec', command, '/dev/null'], { reject: false, timeout: 120_000, env: { ...process.env, NO_COLOR: '1', TERM: 'xterm' } });
    const out = String(tty.stdout).replace(/\r/g, '');
    const lines = out.split('\n');
    const header = lines.findIndex((line) => line.startsWith('mlforge doctor '));
    for (const group of ['Repository files', 'Cross-file agreement', 'Best practices']) {
      const progress = lines.findIndex((line) => new RegExp(`^✔ ${group}: \\d+ passed.* \\(\\d+\\.\\d s\\)$`).test(line));
      expect(progress, `${group} progress line in:\n${out}`).toBeGreaterThanOrEqual(0);
      expect(progress).toBeLessThan(header);
    }
    // Plain lines only: no cursor movement or spinner frames.
    expect(out).not.toMatch(/\u001b\[[0-9;]*[ABCDGHJK]|[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    // Without a terminal only the report: no progress lines.
    const piped = await mlforge(['doctor', fresh, '--only', 'repository,agreement,practice'], { timeout: 120_000 });
    expect(String(piped.stderr)).not.toMatch(/Repository files:/);
    expect(String(piped.stdout)).toMatch(/^mlforge doctor /);
  });

  it('exits 2 on a missing directory and on a directory mlforge did not generate', async () => {
    const missing = await mlforge(['doctor', join(await tempDir(), 'nope')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('No such directory');
    const foreign = await mlforge(['doctor', await tempDir(), '--json']);
    expect(foreign.exitCode).toBe(2);
    expect(JSON.parse(String(foreign.stdout))).toMatchObject({ ok: false, error: { code: 2 } });
    const badOnly = await mlforge(['doctor', fresh, '--only', 'nonsense']);
    expect(badOnly.exitCode).toBe(2);
    expect(badOnly.stderr).toContain('unknown group or check "nonsense"');
  });
});
