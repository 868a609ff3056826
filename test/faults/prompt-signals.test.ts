// SIGINT and SIGTERM sent (with kill, not a key) while the CLI waits at a
// prompt in a real pseudo-terminal (tmux): exit 130/143, the terminal message,
// and nothing written.

import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, binPath, snapshotTree, tempDir } from '../helpers/cli.js';
import { hasCommand, skipNote } from '../hostile/tools.js';

beforeAll(() => assertBuilt());

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function waitUntil<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function readNumber(file: string): Promise<number | undefined> {
  const text = existsSync(file) ? (await readFile(file, 'utf8')).trim() : '';
  return text === '' ? undefined : Number(text);
}
const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

describe.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('%s at a prompt (tmux pseudo-terminal)', (signal, code) => {
  it.skipIf(skipNote('tmux', hasCommand('tmux', ['-V'])))(`exits ${code} with nothing written`, async () => {
    const work = await tempDir('mlforge-prompt-signal-');
    const [pidFile, exitFile, stderrFile] = ['pid', 'exit', 'stderr'].map((name) => join(work, name)) as [string, string, string];
    const parent = await tempDir('mlforge-prompt-target-');
    // The inner shell records its pid and execs node in the foreground, so the pid is the CLI's.
    const inner = `echo $$ > ${quote(pidFile)}; exec ${quote(process.execPath)} ${quote(binPath)} new ${quote(join(parent, 'svc'))} --no-git 2> ${quote(stderrFile)}`;
    const command = `sh -c ${quote(inner)}; echo $? > ${quote(exitFile)}; sleep 5`;
    const session = `mlforge-signal-${process.pid}-${signal}`;
    await execa('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '40', command], {
      env: { ...process.env, NO_COLOR: '1', TERM: 'xterm-256color' },
    });
    try {
      await waitUntil(async () => {
        const screen = (await execa('tmux', ['capture-pane', '-p', '-t', session], { reject: false })).stdout;
        return screen.includes('One-line description') ? true : undefined;
      }, 'the first prompt');
      const pid = await waitUntil(() => readNumber(pidFile), 'the pid file');
      process.kill(pid, signal);
      const exitCode = await waitUntil(() => readNumber(exitFile), 'the exit code');
      expect(exitCode).toBe(code);
      expect(await readFile(stderrFile, 'utf8')).toContain(`Interrupted by ${signal}: nothing was written.`);
      expect(await snapshotTree(parent)).toEqual({});
    } finally {
      await execa('tmux', ['kill-session', '-t', session], { reject: false });
    }
  });
});
