// `mlforge doctor` end to end through the built CLI: exit codes, the JSON
// report, and that it leaves the repository byte-for-byte unchanged.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allChecks } from '../../src/doctor/checks.js';
import type { DoctorReport } from '../../src/doctor/report.js';
import { assertBuilt, mlforge, snapshotTree, tempDir } from '../helpers/cli.js';

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
