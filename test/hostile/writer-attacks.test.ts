// The built CLI against targets a hostile or careless environment prepared:
// symlinks inside the target, special files at planned paths, `.git`,
// paths the file system refuses, existing directories filled in place,
// concurrent runs, leftovers of killed runs, the umask and --dry-run. Each
// case checks the exit code, the message and that nothing outside the target
// (and nothing inside it, on a refusal) changed.

import { execa } from 'execa';
import { existsSync, lstatSync, statSync } from 'node:fs';
import { chmod, chown, link, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findMlforgeLeftovers } from '../../src/write/leftovers.js';
import { canMountTmpfs, mountTmpfs, type Mount } from '../faults/mounts.js';
import { assertBuilt, binPath, mlforge, snapshotTree, tempDir } from '../helpers/cli.js';
import { hasCommand, skipNote } from './tools.js';

beforeAll(() => assertBuilt());

const base = ['--yes', '--no-git', '--name', 'attack-svc'];
const mounts: Mount[] = [];
const closers: Array<() => void> = [];
afterEach(() => {
  mounts.splice(0).forEach((mount) => mount.unmount());
  closers.splice(0).forEach((close) => close());
});

/** An existing project with a user file, and a directory outside it that must never change. */
async function targetAndOutside(): Promise<{ dir: string; outside: string; before: Record<string, string> }> {
  const root = await tempDir('mlforge-attack-');
  const dir = join(root, 'attack-svc');
  const outside = join(root, 'outside');
  await mkdir(dir);
  await mkdir(outside);
  await writeFile(join(dir, 'notes.txt'), 'mine\n');
  await writeFile(join(outside, 'precious.txt'), 'do not touch\n');
  return { dir, outside, before: await snapshotTree(outside) };
}

async function bindSocket(path: string): Promise<void> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(path, done));
  closers.push(() => server.close());
}

describe('symlinks, special files and .git at planned paths (--force): exit 3, named, nothing written anywhere', () => {
  const cases: Array<[string, (dir: string, outside: string) => Promise<void>, RegExp]> = [
    ['a directory symlink (src -> outside)', (dir, outside) => symlink(outside, join(dir, 'src')), /src in .* is a symbolic link/],
    ['a nested directory symlink (src/attack_svc -> outside)', async (dir, outside) => {
      await mkdir(join(dir, 'src'));
      await symlink(outside, join(dir, 'src', 'attack_svc'));
    }, /src\/attack_svc in .* is a symbolic link/],
    ['a relative symlink climbing out (deploy -> ../outside)', (dir) => symlink('../outside', join(dir, 'deploy')), /deploy in .* is a symbolic link/],
    ['a file symlink (README.md -> outside/precious.txt)', (dir, outside) => symlink(join(outside, 'precious.txt'), join(dir, 'README.md')), /README.md: it is a symbolic link/],
    ['a dangling symlink at a planned file', (dir, outside) => symlink(join(outside, 'new.txt'), join(dir, 'Makefile')), /Makefile: it is a symbolic link/],
    ['a symlink loop at a planned directory', async (dir) => {
      await symlink(join(dir, 'tests'), join(dir, 'tests'));
    }, /tests in .* is a symbolic link/],
    ['a FIFO at a planned file', (dir) => execa('mkfifo', [join(dir, 'README.md')]).then(() => undefined), /README.md: it is a special file/],
    ['a Unix socket at a planned file', (dir) => bindSocket(join(dir, 'Dockerfile')), /Dockerfile: it is a special file/],
    ['a directory where a file goes', (dir) => mkdir(join(dir, 'README.md')), /README.md: it is a directory/],
    ['a file where a directory goes', (dir) => writeFile(join(dir, 'src'), 'x\n'), /src in .* is a file, not a directory/],
  ];

  it.each(cases)('%s', async (_what, prepare, message) => {
    const { dir, outside, before } = await targetAndOutside();
    await prepare(dir, outside);
    const inside = await readdir(dir);
    const started = Date.now();
    const result = await mlforge(['new', dir, ...base, '--force'], { timeout: 30_000 });
    expect(result.exitCode, String(result.stderr)).toBe(3);
    expect(Date.now() - started, 'refused at once, never a hang').toBeLessThan(20_000);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(await snapshotTree(outside)).toEqual(before);
    expect((await readdir(dir)).sort()).toEqual(inside.sort());
  });

  it.skipIf(skipNote('mknod as root', process.getuid?.() === 0))('a character device at a planned file', async () => {
    const { dir, outside, before } = await targetAndOutside();
    await execa('mknod', [join(dir, 'README.md'), 'c', '1', '3']); // like /dev/null
    const result = await mlforge(['new', dir, ...base, '--force']);
    expect(result.exitCode, String(result.stderr)).toBe(3);
    expect(result.stderr).toMatch(/README.md: it is a special file/);
    expect(await snapshotTree(outside)).toEqual(before);
  });

  it('a hard link to an outside file at a planned path is replaced, never written through', async () => {
    const { dir, outside, before } = await targetAndOutside();
    await link(join(outside, 'precious.txt'), join(dir, 'README.md'));
    const result = await mlforge(['new', dir, ...base, '--force']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toContain('overwritten README.md');
    expect(await snapshotTree(outside)).toEqual(before);
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toContain('attack-svc');
  });

  it.each([
    ['the target is a .git directory', (root: string) => join(root, 'repo', '.git')],
    ['the target is inside a .git directory', (root: string) => join(root, 'repo', '.git', 'hooks')],
  ])('%s: exit 3, nothing written', async (_what, targetOf) => {
    const root = await tempDir('mlforge-attack-');
    await mkdir(join(root, 'repo', '.git', 'hooks'), { recursive: true });
    const before = await snapshotTree(root);
    const result = await mlforge(['new', targetOf(root), ...base, '--force']);
    expect(result.exitCode, String(result.stderr)).toBe(3);
    expect(result.stderr).toContain('inside a .git directory');
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('a symlink that is itself the target and dangles: exit 3, the link stays', async () => {
    const root = await tempDir('mlforge-attack-');
    await symlink(join(root, 'nowhere'), join(root, 'attack-svc'));
    const result = await mlforge(['new', join(root, 'attack-svc'), ...base]);
    expect(result.exitCode, String(result.stderr)).toBe(3);
    expect(result.stderr).toContain('is a symbolic link to a missing path');
    expect(existsSync(join(root, 'nowhere'))).toBe(false);
  });
});

describe('target paths the file system refuses: exit 2 with the reason, never an internal error', () => {
  it.each([
    ['a name longer than NAME_MAX', (root: string) => join(root, 'x'.repeat(300))],
    ['a path longer than PATH_MAX', (root: string) => join(root, ...Array.from({ length: 40 }, () => 'y'.repeat(120)))],
  ])('%s', async (_what, targetOf) => {
    const root = await tempDir('mlforge-attack-');
    const result = await mlforge(['new', targetOf(root), ...base]);
    expect(result.exitCode, String(result.stderr)).toBe(2);
    expect(result.stderr).toMatch(/Invalid target .*: the path is too long for the file system \(ENAMETOOLONG\)/);
    expect(result.stderr).not.toContain('internal error');
    expect(await snapshotTree(root)).toEqual({});
  });

  const asNobody = process.getuid?.() === 0 && hasCommand('setpriv', ['--version']);
  it.skipIf(skipNote('setpriv as root (to run the CLI as nobody)', asNobody))('a target below a directory nobody may enter: exit 1, permission denied, no internal error', async () => {
    const root = await tempDir('mlforge-attack-');
    await mkdir(join(root, 'closed'));
    await chmod(join(root, 'closed'), 0o700);
    await chmod(root, 0o755);
    for (const args of [['new', join(root, 'closed', 'attack-svc'), ...base], ['new', join(root, 'closed', 'attack-svc'), ...base, '--dry-run']]) {
      const result = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, binPath, ...args], {
        reject: false,
        env: { NO_COLOR: '1', HOME: tmpdir() },
        cwd: tmpdir(),
      });
      expect(result.exitCode, String(result.stderr)).toBe(1);
      expect(result.stderr).toMatch(/Cannot write to .*attack-svc: permission denied/);
      expect(result.stderr).not.toContain('internal error');
    }
    expect(await readdir(join(root, 'closed'))).toEqual([]);
  });

  it('a target below a file: exit 3 naming the file', async () => {
    const root = await tempDir('mlforge-attack-');
    await writeFile(join(root, 'plain'), 'x\n');
    const result = await mlforge(['new', join(root, 'plain', 'attack-svc'), ...base]);
    expect(result.exitCode, String(result.stderr)).toBe(3);
    expect(result.stderr).toContain('plain is not a directory');
  });
});

describe('existing empty directories are filled in place', () => {
  it('`mlforge new .` keeps the inode, mode and owner, and a shell inside it keeps working', async () => {
    const dir = join(await tempDir('mlforge-inplace-'), 'attack-svc');
    await mkdir(dir);
    await chmod(dir, 0o750);
    const before = statSync(dir);
    // The shell's cwd is the target: after the run it lists the new files from the same directory.
    const result = await execa('sh', ['-c', `node "${binPath}" new . ${base.join(' ')} && ls pyproject.toml && pwd -P`], {
      cwd: dir,
      reject: false,
      env: { NO_COLOR: '1' },
    });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toContain('pyproject.toml');
    const after = statSync(dir);
    expect([after.ino, after.mode & 0o7777, after.uid, after.gid]).toEqual([before.ino, 0o750, before.uid, before.gid]);
    expect(findMlforgeLeftovers(dir, { recursive: true })).toEqual([]);
  });

  it.skipIf(skipNote('mount -t tmpfs (needs root with CAP_SYS_ADMIN)', canMountTmpfs()))('an empty mount point stays the mount point', async () => {
    const mount = mountTmpfs(8 * 1024);
    mounts.push(mount);
    const device = statSync(mount.dir).dev;
    const result = await mlforge(['new', mount.dir, ...base]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(statSync(mount.dir).dev).toBe(device);
    expect(statSync(join(mount.dir, 'pyproject.toml')).dev).toBe(device);
    const mounted = await readFile('/proc/self/mounts', 'utf8');
    expect(mounted).toContain(` ${mount.dir} tmpfs `);
  });

  const asNobody = process.getuid?.() === 0 && hasCommand('setpriv', ['--version']);
  it.skipIf(skipNote('setpriv as root (to run the CLI as nobody)', asNobody))('a directory whose parent is not writable (run as nobody)', async () => {
    const parent = await tempDir('mlforge-inplace-');
    const dir = join(parent, 'attack-svc');
    await mkdir(dir);
    await chown(dir, 65534, 65534);
    await chmod(parent, 0o755); // owned by root: nobody cannot create a sibling or a lock there
    const result = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, binPath, 'new', dir, ...base], {
      reject: false,
      env: { NO_COLOR: '1', HOME: tmpdir() },
      cwd: tmpdir(),
    });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(existsSync(join(dir, 'pyproject.toml'))).toBe(true);
    expect(statSync(join(dir, 'pyproject.toml')).uid).toBe(65534);
    expect(await readdir(parent)).toEqual(['attack-svc']);
    expect(existsSync(join(dir, '.mlforge-lock'))).toBe(false);
  });
});

describe('concurrent runs and locks', () => {
  it('two runs into one new target: one wins, the other exits 3 naming the lock; never a mixed tree', async () => {
    const parent = await tempDir('mlforge-race-');
    const target = join(parent, 'attack-svc');
    const env = { NO_COLOR: '1', MLFORGE_TEST_WRITE_DELAY_MS: '10' };
    const [first, second] = await Promise.all([mlforge(['new', target, ...base], { env }), mlforge(['new', target, ...base], { env })]);
    const codes = [first.exitCode, second.exitCode].sort();
    expect(codes, `${first.stderr}\n${second.stderr}`).toEqual([0, 3]);
    const loser = first.exitCode === 3 ? first : second;
    expect(loser.stderr).toMatch(/Another mlforge run is writing this target \(pid \d+|is not empty/);
    expect((await readdir(parent)).sort()).toEqual(['attack-svc']);
    expect(findMlforgeLeftovers(target, { recursive: true })).toEqual([]);
  });

  it('a lock held by a live process: exit 3 saying who holds it and how to remove it', async () => {
    const parent = await tempDir('mlforge-race-');
    const lock = join(parent, '.attack-svc.mlforge-lock');
    const { hostname } = await import('node:os');
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), started: '2026-01-01T00:00:00.000Z' }));
    const result = await mlforge(['new', join(parent, 'attack-svc'), ...base]);
    expect(result.exitCode, String(result.stderr)).toBe(3);
    expect(result.stderr).toContain(`pid ${process.pid}`);
    expect(result.stderr).toContain('delete the lock file');
    expect(existsSync(lock)).toBe(true);
    expect(existsSync(join(parent, 'attack-svc'))).toBe(false);
  });

  it('an empty lock (a creator that never wrote it) is read again, then reported as unreadable and left in place', async () => {
    const parent = await tempDir('mlforge-race-');
    const lock = join(parent, '.attack-svc.mlforge-lock');
    await writeFile(lock, '');
    const result = await mlforge(['new', join(parent, 'attack-svc'), ...base]);
    expect(result.exitCode, String(result.stderr)).toBe(3);
    expect(result.stderr).toContain('(an unreadable lock)');
    expect(existsSync(lock)).toBe(true);
    expect(existsSync(join(parent, 'attack-svc'))).toBe(false);
  });

  it('a stale lock (its process is gone) is taken over and removed afterwards', async () => {
    const parent = await tempDir('mlforge-race-');
    const lock = join(parent, '.attack-svc.mlforge-lock');
    const dead = await execa('sh', ['-c', 'echo $$']).then((result) => Number(result.stdout));
    const { hostname } = await import('node:os');
    await writeFile(lock, JSON.stringify({ pid: dead, host: hostname(), started: '2026-01-01T00:00:00.000Z' }));
    const result = await mlforge(['new', join(parent, 'attack-svc'), ...base]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });
});

describe('leftovers of a SIGKILLed run are recognised and cleaned by the next run', () => {
  async function killDuringWrite(args: string[], watch: string, pattern: RegExp): Promise<void> {
    const child = mlforge(args, { env: { NO_COLOR: '1', MLFORGE_TEST_WRITE_DELAY_MS: '50' } });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const entries = await readdir(watch, { recursive: true }).catch(() => [] as string[]);
      if (entries.some((entry) => pattern.test(String(entry)))) break;
      await new Promise((done) => setTimeout(done, 20));
    }
    child.kill('SIGKILL');
    await child;
  }

  it('a staging directory next to a new target', async () => {
    const parent = await tempDir('mlforge-killed-');
    const target = join(parent, 'attack-svc');
    await killDuringWrite(['new', target, ...base], parent, /^\.attack-svc\.mlforge-\d+-[0-9a-f]{8}\/.+\.\w+$/);
    const left = findMlforgeLeftovers(parent);
    expect(left.map((leftover) => leftover.kind).sort()).toEqual(['lock-file', 'staging-directory']);
    const result = await mlforge(['new', target, ...base]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stderr).toMatch(/removed a leftover of an interrupted mlforge run: .*\.attack-svc\.mlforge-\d+-[0-9a-f]{8}/);
    expect((await readdir(parent)).sort()).toEqual(['attack-svc']);
  });

  it('a staging directory inside an existing empty target (`new .`)', async () => {
    const dir = join(await tempDir('mlforge-killed-'), 'attack-svc');
    await mkdir(dir);
    await killDuringWrite(['new', dir, ...base], dir, /^\.mlforge-staging-\d+-[0-9a-f]{8}\/.+\.\w+$/);
    expect(findMlforgeLeftovers(dir).some((leftover) => leftover.kind === 'staging-directory')).toBe(true);
    const result = await mlforge(['new', dir, ...base]); // without --force: the leftover does not make it "not empty"
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stderr).toContain('removed a leftover');
    expect(findMlforgeLeftovers(dir, { recursive: true })).toEqual([]);
  });

  it('half-written temporaries of a --force run', async () => {
    const { dir } = await targetAndOutside();
    await killDuringWrite(['new', dir, ...base, '--force'], dir, /\.mlforge-[0-9a-f]{8}$/);
    expect(findMlforgeLeftovers(dir, { recursive: true }).some((leftover) => leftover.kind === 'temporary-file')).toBe(true);
    const result = await mlforge(['new', dir, ...base, '--force']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stderr).toContain('removed a leftover');
    expect(findMlforgeLeftovers(dir, { recursive: true })).toEqual([]);
  });

  it('only exact names count: look-alikes are left alone', async () => {
    const dir = join(await tempDir('mlforge-killed-'), 'attack-svc');
    await mkdir(dir);
    for (const name of ['.mlforge-staging-x-deadbeef', 'notes.mlforge-DEADBEEF', 'a.mlforge-backup', '.mlforge-staging-1-deadbee']) await writeFile(join(dir, name), 'x\n');
    expect(findMlforgeLeftovers(dir)).toEqual([]);
  });
});

describe('modes follow the umask, like git and cp', () => {
  it.each([
    ['022', 0o644, 0o755, 0o755],
    ['077', 0o600, 0o700, 0o700],
    ['002', 0o664, 0o775, 0o775],
  ])('umask %s', async (umask, file, executable, directory) => {
    const parent = await tempDir('mlforge-umask-');
    const target = join(parent, 'attack-svc');
    const result = await execa('sh', ['-c', `umask ${umask} && exec node "${binPath}" new "${target}" ${base.join(' ')}`], { reject: false, env: { NO_COLOR: '1' } });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(lstatSync(join(target, 'pyproject.toml')).mode & 0o777).toBe(file);
    expect(lstatSync(join(target, 'src')).mode & 0o777).toBe(directory);
    expect(lstatSync(target).mode & 0o777).toBe(directory);
    const scripts = (await readdir(target, { recursive: true })).map(String).filter((path) => (lstatSync(join(target, path)).mode & 0o100) !== 0 && lstatSync(join(target, path)).isFile());
    expect(scripts.length, 'the plan has executable files').toBeGreaterThan(0);
    for (const path of scripts) expect(lstatSync(join(target, path)).mode & 0o777, path).toBe(executable);
  });
});

describe('--dry-run tells the truth and writes nothing', () => {
  it('a non-empty target without --force: exit 3 like the real run', async () => {
    const { dir } = await targetAndOutside();
    const before = await snapshotTree(dir);
    const dry = await mlforge(['new', dir, ...base, '--dry-run']);
    const real = await mlforge(['new', dir, ...base]);
    expect([dry.exitCode, real.exitCode]).toEqual([3, 3]);
    expect(dry.stderr).toContain('is not empty');
    expect(await snapshotTree(dir)).toEqual(before);
  });

  it('with --force: the same overwritten list as the real run, and nothing written', async () => {
    const { dir } = await targetAndOutside();
    await writeFile(join(dir, 'README.md'), '# mine\n');
    await writeFile(join(dir, 'Makefile'), 'all:\n');
    const before = await snapshotTree(dir);
    const dry = await mlforge(['new', dir, ...base, '--force', '--dry-run', '--json']);
    expect(dry.exitCode, String(dry.stderr)).toBe(0);
    expect(await snapshotTree(dir)).toEqual(before);
    expect(findMlforgeLeftovers(join(dir, '..'))).toEqual([]);
    const real = await mlforge(['new', dir, ...base, '--force', '--json']);
    expect(real.exitCode, String(real.stderr)).toBe(0);
    const [dryJson, realJson] = [JSON.parse(String(dry.stdout)), JSON.parse(String(real.stdout))];
    expect(dryJson.overwritten).toEqual(['Makefile', 'README.md']);
    expect(dryJson.overwritten).toEqual(realJson.overwritten);
    expect(dryJson.dryRun).toBe(true);
  });

  it('a symlink in the target: the dry run refuses it exactly like the real run', async () => {
    const { dir, outside } = await targetAndOutside();
    await symlink(outside, join(dir, 'src'));
    const dry = await mlforge(['new', dir, ...base, '--force', '--dry-run']);
    const real = await mlforge(['new', dir, ...base, '--force']);
    expect([dry.exitCode, real.exitCode]).toEqual([3, 3]);
    const firstError = (text: unknown) => String(text).split('\n').find((line) => line.startsWith('mlforge:'));
    expect(firstError(dry.stderr)).toBe(firstError(real.stderr));
  });
});
