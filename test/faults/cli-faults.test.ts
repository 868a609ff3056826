// The built CLI under real faults: SIGINT/SIGTERM before and during the write,
// a read-only file system, a file where a directory must go, a full disk and a
// missing git. Each checks the exit code, the message, and that the target
// (recursive listing + hashes + directory modes) is exactly as before.

import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { chmod, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, binPath, mlforge, snapshotTree, tempDir } from '../helpers/cli.js';
import { planFor } from '../helpers/generate.js';
import { hasCommand, skipNote } from '../hostile/tools.js';
import { canMountTmpfs, mountTmpfs, type Mount } from './mounts.js';

beforeAll(() => assertBuilt());

const base = ['--yes', '--no-git', '--name', 'fault-svc'];
const mounts: Mount[] = [];
afterEach(() => mounts.splice(0).forEach((mount) => mount.unmount()));

/** A project directory with user files; README.md is one the plan overwrites. */
async function existingProject(): Promise<string> {
  const dir = join(await tempDir('mlforge-faults-'), 'fault-svc');
  await mkdir(join(dir, 'docs'), { recursive: true });
  await writeFile(join(dir, 'README.md'), '# my own readme\n');
  await writeFile(join(dir, 'notes.txt'), 'keep me\n');
  return dir;
}

/** Resolves once some file exists below `root` whose path matches `pattern`. */
async function waitForFile(root: string, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // The tree changes under the listing (staging renamed, files appearing): a failed listing is retried.
    const entries = await readdir(root, { recursive: true }).catch(() => [] as string[]);
    if (entries.some((entry) => pattern.test(String(entry)))) return;
    await new Promise((done) => setTimeout(done, 20));
  }
  throw new Error(`no file matching ${pattern} appeared below ${root}`);
}

const signals = [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const;

describe.each(signals)('%s', (signal, code) => {
  it(`during the write of a new directory: exit ${code}, nothing left, not even the staging directory`, async () => {
    const parent = await tempDir('mlforge-signal-');
    const child = mlforge(['new', join(parent, 'fault-svc'), ...base], { env: { NO_COLOR: '1', MLFORGE_TEST_WRITE_DELAY_MS: '100' } });
    await waitForFile(parent, /^\.fault-svc\.mlforge-.*\/.+\.\w+$/); // a file inside the staging directory
    child.kill(signal);
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(code);
    expect(result.stderr).toContain(`Interrupted by ${signal}: nothing was written.`);
    expect(await snapshotTree(parent)).toEqual({});
  });

  it(`during a --force write into an existing directory: exit ${code}, every file as before`, async () => {
    const dir = await existingProject();
    const before = await snapshotTree(dir);
    const child = mlforge(['new', dir, ...base, '--force'], { env: { NO_COLOR: '1', MLFORGE_TEST_WRITE_DELAY_MS: '100' } });
    await waitForFile(dir, /\.mlforge-[0-9a-f]{8}$/); // a staged temporary next to its destination
    child.kill(signal);
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(code);
    expect(await snapshotTree(dir)).toEqual(before);
  });

  it(`after the write, during git init: exit ${code}, the files stay and the message does not claim otherwise`, async () => {
    // A git that takes its time, so the signal lands after the files are in place.
    const bin = await tempDir('mlforge-slowgit-');
    await writeFile(join(bin, 'git'), `#!/bin/sh\nsleep 10\nexec /usr/bin/git "$@"\n`, { mode: 0o755 });
    await symlink(process.execPath, join(bin, 'node'));
    const parent = await tempDir('mlforge-signal-');
    const target = join(parent, 'fault-svc');
    const child = mlforge(['new', target, '--yes', '--name', 'fault-svc'], { env: { NO_COLOR: '1', PATH: `${bin}:/usr/bin:/bin` } });
    await waitForFile(parent, /^fault-svc\/\.mlforge\.yml$/);
    child.kill(signal);
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(code);
    expect(result.stderr).toContain(`Interrupted by ${signal}.`);
    expect(result.stderr).not.toContain('nothing was written');
    expect(existsSync(join(target, 'pyproject.toml'))).toBe(true);
  });

  it('right after start, before anything is written: the shell sees 128+n and nothing exists', async () => {
    const parent = await tempDir('mlforge-signal-');
    const child = mlforge(['new', join(parent, 'fault-svc'), ...base]);
    child.kill(signal);
    const result = await child;
    // Before the handlers are installed Node dies by the signal itself; either way the shell reports 128+n.
    const status = result.exitCode ?? (result.signal === signal ? code : undefined);
    expect(status, `exit ${result.exitCode}, signal ${result.signal}`).toBe(code);
    expect(await snapshotTree(parent)).toEqual({});
  });
});

describe('file-system faults', () => {
  const mountable = canMountTmpfs();

  it.skipIf(skipNote('mount -t tmpfs (needs root with CAP_SYS_ADMIN)', mountable))('a full disk (64 KiB tmpfs): exit 1, the mount as before', async () => {
    const mount = mountTmpfs(64);
    mounts.push(mount);
    const result = await mlforge(['new', join(mount.dir, 'fault-svc'), ...base]);
    expect(result.exitCode, String(result.stderr)).toBe(1);
    expect(result.stderr).toMatch(/mlforge: Cannot write to .*fault-svc: the disk is full .*Nothing was written\./);
    expect(await snapshotTree(mount.dir)).toEqual({});
  });

  it.skipIf(skipNote('mount -t tmpfs (needs root with CAP_SYS_ADMIN)', mountable))('a full disk with --force into an existing directory: every file as before', async () => {
    const mount = mountTmpfs(64);
    mounts.push(mount);
    const dir = join(mount.dir, 'fault-svc');
    await mkdir(dir);
    await writeFile(join(dir, 'README.md'), '# my own readme\n');
    const before = await snapshotTree(mount.dir);
    const result = await mlforge(['new', dir, ...base, '--force']);
    expect(result.exitCode, String(result.stderr)).toBe(1);
    expect(result.stderr).toContain('the disk is full');
    expect(await snapshotTree(mount.dir)).toEqual(before);
  });

  it.skipIf(skipNote('mount -t tmpfs (needs root with CAP_SYS_ADMIN)', mountable))('a read-only file system: exit 1 naming it, nothing changed', async () => {
    const mount = mountTmpfs(1024);
    mounts.push(mount);
    await writeFile(join(mount.dir, 'existing.txt'), 'x\n');
    mount.readOnly();
    const before = await snapshotTree(mount.dir);
    for (const args of [['new', join(mount.dir, 'fault-svc'), ...base], ['new', mount.dir, ...base, '--force']]) {
      const result = await mlforge(args);
      expect(result.exitCode, String(result.stderr)).toBe(1);
      expect(result.stderr).toContain('the file system is read-only');
      expect(await snapshotTree(mount.dir)).toEqual(before);
    }
  });

  // As root, chmod does not stop writes: run the CLI as `nobody` to meet a real permission error.
  const asNobody = process.getuid?.() === 0 && hasCommand('setpriv', ['--version']);
  it.skipIf(skipNote('setpriv as root (to run the CLI as nobody)', asNobody))('a directory without write permission (chmod 555, run as nobody): exit 1, nothing changed', async () => {
    const parent = await tempDir('mlforge-perm-');
    await chmod(parent, 0o555);
    const existing = join(await tempDir('mlforge-perm-'), 'fault-svc');
    await mkdir(existing);
    await writeFile(join(existing, 'README.md'), '# mine\n');
    await chmod(dirname(existing), 0o755);
    for (const [args, root] of [
      [['new', join(parent, 'fault-svc'), ...base], parent],
      [['new', existing, ...base, '--force'], existing],
    ] as const) {
      const before = await snapshotTree(root);
      const result = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, binPath, ...args], {
        reject: false,
        env: { NO_COLOR: '1', HOME: tmpdir() },
        cwd: tmpdir(),
      });
      expect(result.exitCode, String(result.stderr)).toBe(1);
      expect(result.stderr).toContain('permission denied');
      expect(result.stderr).toContain('Nothing was written.');
      expect(await snapshotTree(root)).toEqual(before);
    }
  });

  it.each(['src', 'deploy'])('a file named %s where a directory must go: --force stops with exit 3 before writing', async (directory) => {
    const planned = (await planFor({ name: 'fault-svc' })).files.map((file) => file.path);
    expect(planned.some((path) => path.startsWith(`${directory}/`)), `${directory}/ is planned`).toBe(true);
    const dir = await existingProject();
    await writeFile(join(dir, directory), 'a file\n');
    const before = await snapshotTree(dir);
    const result = await mlforge(['new', dir, ...base, '--force']);
    expect(result.exitCode, String(result.stderr)).toBe(3);
    expect(result.stderr).toContain(`${directory} in ${dir} is a file, not a directory`);
    expect(await snapshotTree(dir)).toEqual(before);
  });

  it('a file standing where the target directory must go: exit 3, file untouched', async () => {
    const parent = await tempDir('mlforge-faults-');
    await writeFile(join(parent, 'fault-svc'), 'not a directory\n');
    const before = await snapshotTree(parent);
    const result = await mlforge(['new', join(parent, 'fault-svc'), ...base]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('exists and is not a directory');
    expect(await snapshotTree(parent)).toEqual(before);
  });

  it('a non-empty target without --force: exit 3 naming --force, nothing changed', async () => {
    const dir = await existingProject();
    const before = await snapshotTree(dir);
    const result = await mlforge(['new', dir, ...base]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('--force');
    expect(await snapshotTree(dir)).toEqual(before);
  });
});

describe('missing git', () => {
  it('warns, exits 0 and writes every file without a repository', async () => {
    // A PATH holding only node: git (and everything else) is missing.
    const bin = await tempDir('mlforge-nogit-bin-');
    await symlink(process.execPath, join(bin, 'node'));
    const parent = await tempDir('mlforge-nogit-');
    const target = join(parent, 'fault-svc');
    const result = await mlforge(['new', target, '--yes', '--name', 'fault-svc'], { env: { NO_COLOR: '1', PATH: bin } });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stderr).toContain('warning: git skipped: git is not installed');
    const planned = (await planFor({ name: 'fault-svc' })).files.map((file) => file.path);
    const written = Object.keys(await snapshotTree(target)).filter((path) => !path.endsWith('/'));
    expect(written.sort()).toEqual(planned.sort());
    expect(existsSync(join(target, '.git'))).toBe(false);
  });
});
