// doctor's tool runner and optional modules, with a fake exec injected the way
// the doctor command injects ctx.exec: where tools are looked for, what
// environment they get, that each is probed once, the CPU bound, and how a
// missing tool or package becomes "skipped" with the command that fixes it.

import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCheck } from '../../src/doctor/run-doctor.js';
import { installCommand, loadOptional, requireOptional } from '../../src/doctor/tools/optional-module.js';
import { findExecutable, safePathEntries } from '../../src/doctor/tools/safe-path.js';
import { toolEnvironment } from '../../src/doctor/tools/tool-env.js';
import { createToolRunner } from '../../src/doctor/tools/tool-runner.js';
import type { RegisteredCheck } from '../../src/doctor/types.js';
import type { ExecFunction, ExecOptions } from '../../src/ui/context.js';
import { writeFixture } from './fixture-repo.js';
import { loadRepoView } from '../../src/doctor/repo-view.js';

function layout() {
  const base = mkdtempSync(join(tmpdir(), 'mlforge-tools-'));
  const repo = join(base, 'repo');
  const system = join(base, 'system-bin');
  for (const dir of [join(repo, 'bin'), system]) mkdirSync(dir, { recursive: true });
  const tool = (dir: string, name: string, mode = 0o755) => {
    writeFileSync(join(dir, name), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, name), mode);
  };
  return { base, repo, system, tool };
}

describe('where tools are looked for', () => {
  test('PATH keeps absolute entries outside the repository only', () => {
    const { repo, system, base } = layout();
    symlinkSync(repo, join(base, 'alias-of-repo'));
    const path = ['', '.', 'bin', './x', join(repo, 'bin'), join(base, 'alias-of-repo', 'bin'), system, system, '/usr/bin'].join(delimiter);
    expect(safePathEntries(path, repo)).toEqual([system, '/usr/bin']);
  });

  test('an executable is found only outside the repository, even through a symlink on a safe entry', () => {
    const { repo, system, tool } = layout();
    tool(join(repo, 'bin'), 'ruff');
    symlinkSync(join(repo, 'bin', 'ruff'), join(system, 'ruff'));
    tool(system, 'shellcheck', 0o644);
    tool(system, 'kubectl');
    expect(findExecutable('ruff', [system], repo)).toBeUndefined();
    expect(findExecutable('shellcheck', [system], repo)).toBeUndefined();
    expect(findExecutable('kubectl', [system], repo)).toBe(join(system, 'kubectl'));
  });

  test('tools get the user environment minus GIT_* and unsafe PATH entries, with no pager', () => {
    const { repo, system } = layout();
    const env = toolEnvironment({ HOME: '/home/u', GIT_DIR: '/elsewhere/.git', GIT_CONFIG_PARAMETERS: "'core.fsmonitor=x'", PATH: `.${delimiter}${system}`, FORCE_COLOR: '1' }, repo, { EXTRA: '1' });
    expect(env).toEqual({ HOME: '/home/u', PATH: system, PAGER: 'cat', GIT_PAGER: 'cat', NO_COLOR: '1', CHECKPOINT_DISABLE: '1', EXTRA: '1' });
  });
});

describe('the tool runner with a fake exec', () => {
  function fakeExec(handler: (file: string, args: string[], options: ExecOptions) => Partial<Awaited<ReturnType<ExecFunction>>> = () => ({})) {
    const calls: Array<{ file: string; args: string[]; options: ExecOptions }> = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const exec: ExecFunction = async (file, args, options) => {
      calls.push({ file, args, options });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight--;
      return { ok: true, exitCode: 0, stdout: 'tool 1.0\n', stderr: '', ...handler(file, args, options) };
    };
    return { exec, calls, max: () => maxInFlight };
  }

  test('probes once, runs the absolute path outside the repository, never in it', async () => {
    const { repo, system, tool } = layout();
    tool(system, 'shellcheck');
    tool(repo, 'shellcheck');
    const fake = fakeExec();
    const runner = createToolRunner({ exec: fake.exec, env: { PATH: `.${delimiter}${system}`, GIT_WORK_TREE: repo }, repoRoot: repo });
    expect(await runner.probe('shellcheck')).toEqual({ ok: true, path: join(system, 'shellcheck'), version: 'tool 1.0' });
    await runner.probe('shellcheck');
    await runner.run('shellcheck', ['-f', 'gcc', '-'], { input: 'echo $x\n' });
    expect(fake.calls.map((call) => [call.file, ...call.args])).toEqual([
      [join(system, 'shellcheck'), '--version'],
      [join(system, 'shellcheck'), '-f', 'gcc', '-'],
    ]);
    for (const call of fake.calls) {
      expect(call.options.cwd.startsWith(repo)).toBe(false);
      expect(call.options.env?.GIT_WORK_TREE).toBeUndefined();
      expect(call.options.env?.PATH).toBe(system);
    }
    expect(fake.calls[1]!.options.input).toBe('echo $x\n');
  });

  test('a missing or broken tool is "not available" with the reason, and run() refuses it', async () => {
    const { repo, system, tool } = layout();
    tool(system, 'kubectl');
    const fake = fakeExec(() => ({ ok: false, exitCode: 1, stderr: 'error while loading shared libraries\n' }));
    const runner = createToolRunner({ exec: fake.exec, env: { PATH: system }, repoRoot: repo });
    expect(await runner.probe('ruff')).toEqual({ ok: false, reason: 'ruff not available (not on PATH outside the repository; install it on PATH: pipx install ruff, uv tool install ruff)' });
    expect(await runner.probe('kubectl')).toEqual({ ok: false, reason: `kubectl not available (\`${join(system, 'kubectl')} version --client\` failed: error while loading shared libraries)` });
    await expect(runner.run('ruff', ['check'])).rejects.toThrow(/ruff not available/);
  });

  test('no more tool processes at once than the bound (the CPU count by default)', async () => {
    const { repo, system, tool } = layout();
    tool(system, 'shellcheck');
    const fake = fakeExec();
    const runner = createToolRunner({ exec: fake.exec, env: { PATH: system }, repoRoot: repo, concurrency: 2 });
    await Promise.all(Array.from({ length: 8 }, () => runner.run('shellcheck', ['-'])));
    expect(fake.max()).toBe(2);
  });

  test('checks use the injected runner: a fake exec decides what shellcheck reports', async () => {
    const { system, tool } = layout();
    tool(system, 'shellcheck');
    const fake = fakeExec((_file, args) => (args[0] === '--version' ? {} : { ok: false, exitCode: 1, stdout: '-:1:6: warning: x is referenced but not assigned. [SC2154]\n' }));
    const dir = await writeFixture({});
    const repo = await loadRepoView(dir, { exec: fake.exec, env: { PATH: system } });
    const { shellcheckCheck } = await import('../../src/doctor/validators/github-actions.js');
    const result = await runCheck(shellcheckCheck, repo, 30_000);
    expect(result.status).toBe('failed');
    expect(result.findings[0]).toMatchObject({ file: '.github/workflows/ci.yml', message: expect.stringContaining('SC2154') });
  });
});

describe('optional modules', () => {
  const notFound = async () => {
    throw Object.assign(new Error("Cannot find package 'kubernetes-models'"), { code: 'ERR_MODULE_NOT_FOUND' });
  };

  test('a missing package yields the reason with the exact install command, never a crash', async () => {
    const loaded = await loadOptional('kubernetes-models', 'validator.kubernetes-schema', { load: notFound });
    expect(loaded).toEqual({ ok: false, reason: expect.stringMatching(/^kubernetes-models is not installed: install kubernetes-models for the validator\.kubernetes-schema check: `npm install .*kubernetes-models@4\.5\.1`$/) });
  });

  test('a package that is really absent turns its check into "skipped" with that reason', async () => {
    const rule: RegisteredCheck = {
      id: 'validator.example',
      group: 'validator',
      title: 'needs a package that is not installed',
      applies: () => true,
      run: async () => {
        await requireOptional('mlforge-no-such-package', 'validator.example');
        return { status: 'passed', findings: [] };
      },
    };
    const result = await runCheck(rule, await loadRepoView(await writeFixture({})), 10_000);
    expect(result).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^mlforge-no-such-package is not installed: install mlforge-no-such-package for the validator\.example check: `npm install /) });
  });

  test('the install command puts the package where mlforge resolves it', () => {
    expect(installCommand('ajv', '/usr/lib/node_modules/mlforge')).toBe('npm install --global ajv@latest');
    expect(installCommand('ajv', '/work/app/node_modules/mlforge')).toBe('npm install --no-save --prefix /work/app ajv@latest');
    expect(installCommand('ajv', '/src/my clone')).toBe("npm install --no-save --prefix '/src/my clone' ajv@latest");
  });
});
