// The fast-import stream of the initial commit, fed to a real git: names that
// need quoting arrive byte for byte, modes follow the disk, and a path that is
// no longer a regular file (a symlink, a FIFO) stops it without following or
// blocking.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChangedFileError, commitStream, quotePath } from '../../src/post/commit-stream.js';
import { tempDir } from '../helpers/cli.js';

const hasGit = spawnSync('git', ['--version']).status === 0;
if (!hasGit) console.log('skipped: git not available (the commit stream is checked by git fast-import)');

const ident = 'Test User <test@example.com> 1700000000 +0000';
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
const git = (cwd: string, args: string[], input?: Buffer) => execFileSync('git', args, { cwd, env, ...(input ? { input } : {}) }).toString('utf8');

describe('quotePath', () => {
  it('always quotes, escaping quotes, backslashes and control bytes; UTF-8 kept as its bytes', () => {
    expect(quotePath('src/app.py')).toBe('"src/app.py"');
    expect(quotePath('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quotePath('tab\there\nnl\u0001')).toBe('"tab\\there\\nnl\\001"');
    expect(Buffer.from(quotePath('é'), 'latin1')).toEqual(Buffer.from('"é"', 'utf8'));
  });
});

describe.skipIf(!hasGit)('commitStream through git fast-import', () => {
  const names = ['plain.txt', 'sp ace.txt', 'quo"te.txt', 'back\\slash.txt', 'ünïcode/fïle.md', 'bin/run.sh', '"leading-quote'];

  it('commits every path byte for byte with its mode, and the index matches the work tree', async () => {
    const dir = await tempDir('mlforge-stream-');
    for (const name of names) {
      await mkdir(join(dir, name, '..'), { recursive: true });
      await writeFile(join(dir, name), `contents of ${name}\n`);
    }
    await chmod(join(dir, 'bin/run.sh'), 0o755);
    await writeFile(join(dir, 'untracked.txt'), 'not planned\n');
    git(dir, ['init', '--quiet']);
    const ref = git(dir, ['symbolic-ref', 'HEAD']).trim();
    const stream = commitStream({ directory: dir, paths: names, ref, author: ident, committer: ident, message: 'first\n' });
    const commit = git(dir, ['fast-import', '--quiet', '--done', '--depth=0'], stream).trim();
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    git(dir, ['reset', '--quiet']);
    const listed = git(dir, ['ls-files', '-s', '-z']).split('\0').filter(Boolean);
    expect(listed.map((line) => line.split('\t')[1]).sort()).toEqual([...names].sort());
    expect(listed.find((line) => line.endsWith('\tbin/run.sh'))).toMatch(/^100755 /);
    expect(listed.find((line) => line.endsWith('\tplain.txt'))).toMatch(/^100644 /);
    expect(git(dir, ['status', '--porcelain'])).toBe('?? untracked.txt\n');
    expect(git(dir, ['log', '--format=%H %an <%ae> %at|%s'])).toBe(`${commit} Test User <test@example.com> 1700000000|first\n`);
  });

  it('a symlink or a FIFO where a file was is refused, neither followed nor read', async () => {
    const dir = await tempDir('mlforge-stream-');
    await writeFile(join(dir, 'outside.txt'), 'secret\n');
    await symlink(join(dir, 'outside.txt'), join(dir, 'link.txt'));
    execFileSync('mkfifo', [join(dir, 'pipe.txt')]);
    const input = (path: string) => ({ directory: dir, paths: [path], ref: 'refs/heads/main', author: ident, committer: ident, message: 'x\n' });
    expect(() => commitStream(input('link.txt'))).toThrow(ChangedFileError);
    expect(() => commitStream(input('pipe.txt'))).toThrow(/pipe\.txt is no longer a regular file/);
    expect(() => commitStream(input('missing.txt'))).toThrow(/missing\.txt is no longer a regular file of the repository \(ENOENT\)/);
  });
});
