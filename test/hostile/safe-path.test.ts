// The safe primitives `update` and `add` write, delete and rename through:
// against symlinks, special files, `..`, absolute paths and `.git`, each
// refuses with a named conflict and leaves everything outside untouched.

import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConflictError, UsageError } from '../../src/errors.js';
import { safeDeleteFile, safeRenameFile, safeWriteFile } from '../../src/write/safe-path.js';
import { snapshotTree, tempDir } from '../helpers/cli.js';

async function rootAndOutside(): Promise<{ root: string; outside: string }> {
  const base = await tempDir('mlforge-safe-');
  await mkdir(join(base, 'root'));
  await mkdir(join(base, 'outside'));
  await writeFile(join(base, 'outside', 'precious.txt'), 'keep\n');
  return { root: join(base, 'root'), outside: join(base, 'outside') };
}

describe('safeWriteFile', () => {
  it('creates parents and replaces a regular file atomically, leaving no temporary', async () => {
    const { root } = await rootAndOutside();
    safeWriteFile(root, 'a/b/c.txt', 'one\n', 0o644);
    safeWriteFile(root, 'a/b/c.txt', 'two\n', 0o644);
    expect(await readFile(join(root, 'a/b/c.txt'), 'utf8')).toBe('two\n');
    expect(await readdir(join(root, 'a/b'))).toEqual(['c.txt']);
  });

  const refusals: Array<[string, (root: string, outside: string) => Promise<void>, string, RegExp, typeof ConflictError | typeof UsageError]> = [
    ['a symlinked directory on the way', (root, outside) => symlink(outside, join(root, 'a')), 'a/precious.txt', /a in .* is a symbolic link/, ConflictError],
    ['a symlink at the file', (root, outside) => symlink(join(outside, 'precious.txt'), join(root, 'f.txt')), 'f.txt', /f.txt: it is a symbolic link/, ConflictError],
    ['a FIFO at the file', (root) => execa('mkfifo', [join(root, 'f.txt')]).then(() => undefined), 'f.txt', /special file/, ConflictError],
    ['a ".." component', async () => undefined, '../outside/precious.txt', /"\.\." components are not allowed/, UsageError],
    ['an absolute path', async () => undefined, '/etc/passwd', /must be relative/, UsageError],
    ['a .git component', async () => undefined, '.git/hooks/pre-commit', /never writes into a .git directory/, ConflictError],
    ['a .GIT component (case-insensitive file systems)', async () => undefined, 'x/.GIT/config', /\.git directory/, ConflictError],
    ['a NUL byte', async () => undefined, 'a\0b', /NUL/, UsageError],
  ];
  it.each(refusals)('refuses %s', async (_what, prepare, path, message, type) => {
    const { root, outside } = await rootAndOutside();
    await prepare(root, outside);
    const before = await snapshotTree(outside);
    expect(() => safeWriteFile(root, path, 'evil\n', 0o644)).toThrow(message);
    try {
      safeWriteFile(root, path, 'evil\n', 0o644);
    } catch (error) {
      expect(error).toBeInstanceOf(type);
    }
    expect(await snapshotTree(outside)).toEqual(before);
  });
});

describe('safeDeleteFile and safeRenameFile', () => {
  it('delete removes a regular file and refuses a symlink (its target stays)', async () => {
    const { root, outside } = await rootAndOutside();
    await writeFile(join(root, 'old.txt'), 'x\n');
    safeDeleteFile(root, 'old.txt');
    expect(existsSync(join(root, 'old.txt'))).toBe(false);
    safeDeleteFile(root, 'never-existed.txt');
    await symlink(join(outside, 'precious.txt'), join(root, 'link.txt'));
    expect(() => safeDeleteFile(root, 'link.txt')).toThrow(/symbolic link/);
    expect(existsSync(join(root, 'link.txt'))).toBe(true);
    await symlink(outside, join(root, 'dir'));
    expect(() => safeDeleteFile(root, 'dir/precious.txt')).toThrow(/dir in .* is a symbolic link/);
    expect(await readFile(join(outside, 'precious.txt'), 'utf8')).toBe('keep\n');
  });

  it('rename moves a file inside the root and refuses links on either side', async () => {
    const { root, outside } = await rootAndOutside();
    await writeFile(join(root, 'a.txt'), 'a\n');
    safeRenameFile(root, 'a.txt', 'moved/b.txt');
    expect(await readFile(join(root, 'moved/b.txt'), 'utf8')).toBe('a\n');
    await symlink(outside, join(root, 'out'));
    expect(() => safeRenameFile(root, 'moved/b.txt', 'out/b.txt')).toThrow(/out in .* is a symbolic link/);
    expect(() => safeRenameFile(root, 'out/precious.txt', 'stolen.txt')).toThrow(/symbolic link/);
    expect(await readdir(outside)).toEqual(['precious.txt']);
  });
});
