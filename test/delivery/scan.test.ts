// The generated repository's own security scan, as a user runs it: `make scan`
// builds every overlay with deploy/k8s/render-overlays.sh (real kubectl) and
// runs the real checkov over the Terraform, those objects, the Dockerfile and
// the CI files. It passes on day one, writes nothing under deploy/k8s, and
// fails on a planted finding; without kubectl or checkov it fails saying so.

import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { createToolRunner } from '../../src/doctor/tools/tool-runner.js';
import type { Answers } from '../../src/questions/table.js';
import { execWithExeca } from '../../src/ui/context.js';
import { generateRepo } from '../helpers/generate.js';

const runner = createToolRunner({ exec: execWithExeca, env: process.env, repoRoot: mkdtempSync(join(tmpdir(), 'mlforge-scan-probe-')) });
const checkov = await runner.probe('checkov');
const kubectl = await runner.probe('kubectl');
if (!checkov.ok || !kubectl.ok) console.log(`skipped: make scan needs checkov and kubectl on PATH (.ci/run installs checkov): ${[checkov, kubectl].flatMap((probe) => (probe.ok ? [] : [probe.reason])).join('; ')}`);

const make = (dir: string, args: string[], env: Record<string, string> = {}) =>
  execa('make', ['--no-print-directory', ...args], { cwd: dir, reject: false, all: true, env: { ...process.env, ...env } });

describe.skipIf(!checkov.ok || !kubectl.ok)('make scan in a generated repository', () => {
  test.each([
    [{}],
    [{ cloud: 'gcp', ci: 'gitlab', serving: 'kserve' }],
    [{ cloud: 'local', rollout: 'canary' }],
  ] as Array<[Partial<Answers>]>)('%j passes on day one, and leaves deploy/k8s as it was', async (combo) => {
    const { dir } = await generateRepo(combo);
    const result = await make(dir, ['scan']);
    expect(result.exitCode, result.all).toBe(0);
    expect(readdirSync(join(dir, '.scan/k8s')).sort()).toEqual(['cluster.yaml', 'prod.yaml', 'staging.yaml']);
    expect(readFileSync(join(dir, '.scan/k8s/staging.yaml'), 'utf8')).toContain('kind: NetworkPolicy');
    for (const overlay of ['staging', 'prod']) expect(existsSync(join(dir, 'deploy/k8s/overlays', overlay, 'deploy-values.env'))).toBe(false);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toContain('\n.scan/\n');
  });

  test('a privileged model server fails the scan, naming the check', async () => {
    const { dir } = await generateRepo({ cloud: 'local' });
    const file = join(dir, 'deploy/k8s/base/model-server.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true'));
    const result = await make(dir, ['scan']);
    expect(result.exitCode).not.toBe(0);
    expect(result.all).toContain('CKV_K8S_20');
  });

  test('without checkov, or before the overlays are built, scan-checkov fails and says what to do', async () => {
    const { dir } = await generateRepo({ cloud: 'local' });
    const missing = await make(dir, ['scan-checkov', 'CHECKOV=no-such-checkov']);
    expect(missing.exitCode).not.toBe(0);
    expect(missing.all).toMatch(/checkov not found: pip install checkov==\d/);
    const unbuilt = await make(dir, ['scan-checkov']);
    expect(unbuilt.exitCode).not.toBe(0);
    expect(unbuilt.all).toContain('.scan/k8s is missing: run make scan-render first');
  });

  test('render-overlays.sh without kubectl fails naming it', async () => {
    const { dir } = await generateRepo({ cloud: 'local' });
    const bin = mkdtempSync(join(tmpdir(), 'mlforge-no-kubectl-'));
    symlinkSync('/bin/sh', join(bin, 'sh'));
    const result = await execa(join(bin, 'sh'), ['deploy/k8s/render-overlays.sh', '.scan/k8s'], { cwd: dir, reject: false, env: { PATH: bin }, extendEnv: false });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('kubectl builds the overlays and is not on PATH');
  });
});
