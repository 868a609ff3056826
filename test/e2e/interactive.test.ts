// One interactive session through a real pseudo-terminal: tmux runs the CLI,
// send-keys answers the prompts, capture-pane reads the screen.

import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
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
  static async start(command: string, env: Record<string, string> = {}): Promise<TmuxSession> {
    const name = `mlforge-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    // The session's own server (-L) so the environment below reaches the command.
    await execa('tmux', ['-L', name, 'new-session', '-d', '-s', name, '-x', '160', '-y', '50', command], {
      env: { ...process.env, NO_COLOR: '1', TERM: 'xterm-256color', ...env },
    });
    return new TmuxSession(name);
  }
  async screen(): Promise<string> {
    return (await execa('tmux', ['-L', this.name, 'capture-pane', '-p', '-t', this.name], { reject: false })).stdout;
  }
  /** Waits until the screen shows `text`, then sends the keys. */
  async answer(text: string, ...keys: string[]): Promise<void> {
    await this.waitFor(text);
    for (const key of keys) {
      await execa('tmux', ['-L', this.name, 'send-keys', '-t', this.name, key]);
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
    await execa('tmux', ['-L', this.name, 'kill-server'], { reject: false });
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

  it('introduces itself, hints every question, takes the name from the directory and the author from git, searches regions, sums up and writes after the confirmation', async () => {
    const dir = await tempDir();
    const home = join(dir, 'home');
    await mkdir(home);
    await writeFile(join(home, '.gitconfig'), '[user]\n\tname = Ada Lovelace\n');
    const target = join(dir, 'pty-svc');
    const exitFile = join(dir, 'exit');
    const session = await TmuxSession.start(`node ${binPath} new ${target} --no-git --python 3.11; echo $? > ${exitFile}; sleep 30`, {
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
    });
    try {
      await session.waitFor('a few questions about your model service');
      await session.answer('One-line description · goes into the README', 'C-u', 'Fraud scoring API', 'Enter');
      await session.answer('Author or team', 'Enter'); // default: git user.name
      await session.answer('Cloud · where the registry', 'Down'); // gcp
      await session.answer('Artifact Registry, GKE cluster', 'Enter'); // the highlighted choice's hint
      await session.answer('Region (type to filter)', 'london');
      await session.waitFor('europe-west2');
      await session.answer('London', 'Enter');
      await session.answer('CI/CD system', 'Down', 'Enter'); // gitlab
      await session.answer('Serving on Kubernetes', 'Enter'); // fastapi
      await session.answer('Rollout strategy', 'Down', 'Enter'); // canary
      await session.answer('Add monitoring', 'n', 'Enter');
      await session.answer('Version data with DVC', 'y', 'Enter');
      await session.answer('Serve on GPUs', 'Enter');
      await session.waitFor('? Write ');
      const summary = await session.screen();
      expect(summary).toMatch(/author\s+Ada Lovelace/);
      expect(summary).toMatch(/cloud\s+gcp \(europe-west2\)/);
      expect(existsSync(target)).toBe(false); // nothing before the confirmation
      await session.answer('? Write ', 'Enter');
      expect(await exitCodeFile(exitFile)).toBe(0);
      const screen = await session.screen();
      expect(screen).not.toContain('Project name'); // the directory names the project
      expect(screen).not.toContain('Python version'); // answered by --python
    } finally {
      await session.kill();
    }
    const provenance = parseYaml(await readFile(join(target, '.mlforge.yml'), 'utf8')) as { answers: Record<string, unknown> };
    expect(provenance.answers).toEqual({
      name: 'pty-svc', description: 'Fraud scoring API', author: 'Ada Lovelace', python: '3.11',
      cloud: 'gcp', region: 'europe-west2', ci: 'gitlab', serving: 'fastapi', rollout: 'canary',
      monitoring: false, dvc: true, gpu: false,
    });
  });

  it('refuses a non-empty target right after the name, before any other question (exit 3)', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'taken'));
    await writeFile(join(dir, 'taken', 'notes.txt'), 'mine\n');
    const exitFile = join(dir, 'exit');
    const session = await TmuxSession.start(`cd ${dir} && node ${binPath} new --no-git; echo $? > ${exitFile}; sleep 30`);
    try {
      await session.answer('Project name', 'C-u', 'taken', 'Enter');
      expect(await exitCodeFile(exitFile)).toBe(3);
      const screen = await session.screen();
      expect(screen).toContain('is not empty (notes.txt)');
      expect(screen).not.toContain('One-line description');
    } finally {
      await session.kill();
    }
    expect(await readFile(join(dir, 'taken', 'notes.txt'), 'utf8')).toBe('mine\n');
  });

  it('accepts a typed region newer than the list, and writes nothing when the summary is declined (exit 130)', async () => {
    const dir = await tempDir();
    const target = join(dir, 'declined');
    const exitFile = join(dir, 'exit');
    const given = '--description Scores --author Team --python 3.12 --cloud aws --ci github --serving fastapi --rollout rolling --no-monitoring --no-dvc --no-gpu';
    const session = await TmuxSession.start(`node ${binPath} new ${target} ${given} --no-git; echo $? > ${exitFile}; sleep 30`);
    try {
      await session.answer('Region (type to filter)', 'ap-east-9');
      await session.waitFor('not in the list: used as typed');
      await session.answer('not in the list', 'Enter');
      await session.waitFor('? Write '); // the confirmation after the summary
      expect(await session.screen()).toMatch(/cloud\s+aws \(ap-east-9\)/);
      expect(await session.screen()).toMatch(/\? Write \d+ files to/);
      await session.answer('? Write ', 'n', 'Enter');
      expect(await exitCodeFile(exitFile)).toBe(130);
      expect(await session.screen()).toContain('Not confirmed: nothing was written.');
    } finally {
      await session.kill();
    }
    expect(existsSync(target)).toBe(false);
  });

  it('re-asks after an invalid answer, and Ctrl-C exits 130 with nothing written', async () => {
    const dir = await tempDir();
    const exitFile = join(dir, 'exit');
    const session = await TmuxSession.start(`cd ${dir} && node ${binPath} new; echo $? > ${exitFile}; sleep 30`);
    try {
      await session.answer('Project name', 'C-u', 'Bad Name', 'Enter');
      await session.waitFor('name must be 3 to 40 characters');
      await session.answer('name must be', 'C-c');
      expect(await exitCodeFile(exitFile)).toBe(130);
    } finally {
      await session.kill();
    }
    expect((await readdir(dir)).sort()).toEqual(['exit']);
  });
});
