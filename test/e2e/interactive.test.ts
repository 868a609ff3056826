// One interactive session through a real pseudo-terminal: tmux runs the CLI,
// send-keys answers the prompts, capture-pane reads the screen.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, binPath, tempDir } from '../helpers/cli.js';

const tmuxAvailable = (await execa('tmux', ['-V'], { reject: false })).exitCode === 0;
if (!tmuxAvailable) console.log('skipped: tmux not available (interactive pseudo-terminal tests)');

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

class TmuxSession {
  constructor(readonly name: string) {}
  static async start(command: string): Promise<TmuxSession> {
    const name = `mlforge-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    await execa('tmux', ['new-session', '-d', '-s', name, '-x', '160', '-y', '50', command], {
      env: { ...process.env, NO_COLOR: '1', TERM: 'xterm-256color' },
    });
    return new TmuxSession(name);
  }
  async screen(): Promise<string> {
    return (await execa('tmux', ['capture-pane', '-p', '-t', this.name], { reject: false })).stdout;
  }
  /** Waits until the screen shows `text`, then sends the keys. */
  async answer(text: string, ...keys: string[]): Promise<void> {
    await this.waitFor(text);
    for (const key of keys) {
      await execa('tmux', ['send-keys', '-t', this.name, key]);
      await sleep(120);
    }
  }
  async waitFor(text: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.screen()).includes(text)) return;
      await sleep(100);
    }
    throw new Error(`timed out waiting for "${text}"; screen:\n${await this.screen()}`);
  }
  async kill(): Promise<void> {
    await execa('tmux', ['kill-session', '-t', this.name], { reject: false });
  }
}

async function exitCodeFile(file: string, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const text = (await readFile(file, 'utf8')).trim();
      if (text !== '') return Number(text);
    }
    await sleep(100);
  }
  throw new Error('the CLI did not finish');
}

describe.skipIf(!tmuxAvailable)('interactive prompts in a pseudo-terminal', () => {
  beforeAll(() => assertBuilt());

  it('asks only what flags did not answer, follows conditional questions and writes the answers', async () => {
    const dir = await tempDir();
    const target = join(dir, 'pty-svc');
    const exitFile = join(dir, 'exit');
    const session = await TmuxSession.start(`node ${binPath} new ${target} --no-git --python 3.11; echo $? > ${exitFile}; sleep 30`);
    try {
      await session.answer('Project name', 'Enter'); // default from the directory: pty-svc
      await session.answer('One-line description', 'C-u', 'Fraud scoring API', 'Enter');
      await session.answer('Author or team', 'Enter');
      await session.answer('Cloud', 'Down', 'Enter'); // gcp
      await session.answer('Region', 'Down', 'Enter'); // us-east1
      await session.answer('CI/CD system', 'Down', 'Enter'); // gitlab
      await session.answer('Serving on Kubernetes', 'Enter'); // fastapi
      await session.answer('Rollout strategy', 'Down', 'Enter'); // canary
      await session.answer('Add monitoring', 'n', 'Enter');
      await session.answer('Version data with DVC', 'y', 'Enter');
      await session.answer('Serve on GPUs', 'Enter');
      expect(await exitCodeFile(exitFile)).toBe(0);
      const screen = await session.screen();
      expect(screen).not.toContain('Python version'); // answered by --python
    } finally {
      await session.kill();
    }
    const provenance = parseYaml(await readFile(join(target, '.mlforge.yml'), 'utf8')) as { answers: Record<string, unknown> };
    expect(provenance.answers).toEqual({
      name: 'pty-svc', description: 'Fraud scoring API', author: 'pty-svc maintainers', python: '3.11',
      cloud: 'gcp', region: 'us-east1', ci: 'gitlab', serving: 'fastapi', rollout: 'canary',
      monitoring: false, dvc: true, gpu: false,
    });
  });

  it('re-asks after an invalid answer, and Ctrl-C exits 130 with nothing written', async () => {
    const dir = await tempDir();
    const target = join(dir, 'cancelled');
    const exitFile = join(dir, 'exit');
    const session = await TmuxSession.start(`node ${binPath} new ${target}; echo $? > ${exitFile}; sleep 30`);
    try {
      await session.answer('Project name', 'C-u', 'Bad Name', 'Enter');
      await session.waitFor('name must be 3 to 40 characters');
      await session.answer('name must be', 'C-c');
      expect(await exitCodeFile(exitFile)).toBe(130);
    } finally {
      await session.kill();
    }
    expect(existsSync(target)).toBe(false);
  });
});
