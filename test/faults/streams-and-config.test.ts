// The built CLI with broken output streams (a reader that goes away, a full
// device), with config files that could block or exhaust it (FIFO, socket,
// device, /dev/zero, a directory, more than 1 MiB), and with real signals
// while it parses a config file at the size cap.

import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, binPath, mlforge, snapshotTree, tempDir } from '../helpers/cli.js';
import { planFor } from '../helpers/generate.js';

beforeAll(() => assertBuilt());

const closers: Array<() => void> = [];
afterEach(() => closers.splice(0).forEach((close) => close()));

async function plannedCount(): Promise<number> {
  return (await planFor({ name: 'stream-svc' })).files.length;
}

async function fileCount(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile() && !join(entry.parentPath, entry.name).includes('/.git/')).length;
}

describe('output streams that fail: the run finishes its work, exits 0, no stack trace', () => {
  const shells: Array<[string, (target: string) => string]> = [
    ['stdout closed early (| head -1)', (target) => `node "${binPath}" new "${target}" --yes --name stream-svc | head -1; exit "\${PIPESTATUS[0]}"`],
    ['stdout closed at once (| true)', (target) => `node "${binPath}" new "${target}" --yes --name stream-svc | true; exit "\${PIPESTATUS[0]}"`],
    ['--json with stdout closed early (| head -c 1)', (target) => `node "${binPath}" new "${target}" --yes --name stream-svc --json | head -c 1; exit "\${PIPESTATUS[0]}"`],
    ['stdout on a full device (>/dev/full)', (target) => `node "${binPath}" new "${target}" --yes --name stream-svc >/dev/full`],
    ['stdout and stderr on a full device', (target) => `node "${binPath}" new "${target}" --yes --name stream-svc >/dev/full 2>/dev/full`],
    ['stdout closed (>&-)', (target) => `node "${binPath}" new "${target}" --yes --name stream-svc >&-`],
  ];

  it.each(shells)('%s', async (_what, command) => {
    const target = join(await tempDir('mlforge-streams-'), 'stream-svc');
    const result = await execa('bash', ['-c', command(target)], { reject: false, env: { NO_COLOR: '1', PATH: process.env.PATH }, timeout: 60_000 });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stderr).not.toMatch(/internal error|EPIPE|ENOSPC|\n\s+at /);
    expect(await fileCount(target)).toBe(await plannedCount());
    // git ran to the end too: a commit exists (when git is installed).
    if (existsSync('/usr/bin/git')) {
      const log = await execa('git', ['-C', target, 'log', '--oneline'], { reject: false });
      expect(log.stdout, String(log.stderr)).toMatch(/Initial commit/);
    }
  });

  it('a failed run with a broken stdout still exits with its own code (3)', async () => {
    const dir = await tempDir('mlforge-streams-');
    await writeFile(join(dir, 'x.txt'), 'x\n');
    const result = await execa('bash', ['-c', `node "${binPath}" new "${dir}" --yes --no-git --name stream-svc --json | head -c 1; exit "\${PIPESTATUS[0]}"`], { reject: false });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('config files that could block or exhaust mlforge: refused at once with exit 2', () => {
  async function bindSocket(path: string): Promise<void> {
    const server = createServer();
    await new Promise<void>((done) => server.listen(path, done));
    closers.push(() => server.close());
  }

  const cases: Array<[string, (dir: string) => Promise<string>, RegExp]> = [
    ['a FIFO nobody writes to', async (dir) => {
      await execa('mkfifo', [join(dir, 'answers.yml')]);
      return join(dir, 'answers.yml');
    }, /it is not a regular file \(a FIFO, socket or device\)/],
    ['a symlink to a FIFO', async (dir) => {
      await execa('mkfifo', [join(dir, 'fifo')]);
      await symlink(join(dir, 'fifo'), join(dir, 'answers.yml'));
      return join(dir, 'answers.yml');
    }, /not a regular file/],
    ['a Unix socket', async (dir) => {
      await bindSocket(join(dir, 'answers.sock'));
      return join(dir, 'answers.sock');
    }, /it is a socket or a device without a reader|not a regular file/],
    ['/dev/zero', async () => '/dev/zero', /not a regular file/],
    ['/dev/urandom', async () => '/dev/urandom', /not a regular file/],
    ['/dev/stdin (the socket pair a parent process holds open)', async () => '/dev/stdin', /it is a socket or a device without a reader|not a regular file/],
    ['a directory', async (dir) => {
      await mkdir(join(dir, 'answers.yml'));
      return join(dir, 'answers.yml');
    }, /it is a directory/],
    ['a file over 1 MiB', async (dir) => {
      await writeFile(join(dir, 'answers.yml'), `name: big-svc\n${'# padding\n'.repeat(110_000)}`);
      return join(dir, 'answers.yml');
    }, /config files are limited to 1 MiB \(1048576 bytes\)/],
    ['a file that is not UTF-8', async (dir) => {
      await writeFile(join(dir, 'answers.yml'), Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xff, 0xfe, 0x0a]));
      return join(dir, 'answers.yml');
    }, /not valid UTF-8/],
  ];

  it.each(cases)('%s', async (_what, make) => {
    const dir = await tempDir('mlforge-config-');
    const config = await make(dir);
    const parent = await tempDir('mlforge-config-out-');
    const started = Date.now();
    const child = execa('node', [binPath, 'new', join(parent, 'cfg-svc'), '--yes', '--no-git', '--config', config], {
      reject: false,
      stdin: 'pipe', // /dev/stdin is a pipe nobody writes to
      timeout: 30_000,
      env: { NO_COLOR: '1' },
    });
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(2);
    expect(Date.now() - started, 'refused at once').toBeLessThan(15_000);
    expect(result.stderr).toMatch(/Cannot read --config /);
    expect(result.stderr).toMatch(cases.find(([what]) => what === _what)![2]);
    expect(await snapshotTree(parent)).toEqual({});
  });
});

describe('signals while a config file at the size cap is parsed', () => {
  const signals = [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const;
  const delays = [50, 200, 400, 800];

  it.each(signals.flatMap(([signal, code]) => delays.map((delay) => [signal, delay, code] as const)))(
    '%s %s ms after start: exit %s promptly, nothing written',
    async (signal, delay, code) => {
      const dir = await tempDir('mlforge-sigcfg-');
      const config = join(dir, 'answers.yml');
      // Just under 1 MiB, valid: the run parses all of it, then writes (slowly, so a late signal lands mid-write).
      let text = 'name: sig-svc\ncloud: local\n';
      const pad = `# ${'x'.repeat(60)}\n`;
      while (text.length + pad.length < 1024 * 1024 - 64) text += pad;
      await writeFile(config, text);
      const parent = await tempDir('mlforge-sigcfg-out-');
      const child = mlforge(['new', join(parent, 'sig-svc'), '--yes', '--no-git', '--config', config], {
        env: { NO_COLOR: '1', MLFORGE_TEST_WRITE_DELAY_MS: '100' },
      });
      await new Promise((done) => setTimeout(done, delay));
      const sent = Date.now();
      child.kill(signal);
      const result = await child;
      expect(Date.now() - sent, 'ends promptly').toBeLessThan(5_000);
      // Before the handlers are installed Node dies by the signal itself; either way the shell reports 128+n.
      const status = result.exitCode ?? (result.signal === signal ? code : undefined);
      expect(status, `exit ${result.exitCode}, signal ${result.signal}: ${result.stderr}`).toBe(code);
      expect(await snapshotTree(parent)).toEqual({});
    },
  );
});
