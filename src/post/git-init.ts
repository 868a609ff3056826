// Post-step: `git init` and an initial commit in three git processes. Skipped
// inside an existing repository; a missing git is a warning, not a failure.
//
// The repository is built in a hidden directory inside the target
// (.mlforge-git-<8 hex digits>/.git, with the target as work tree) and renamed to
// .git only once the commit exists, so the target never holds a half-made .git:
// an interrupt, a failure or a timeout removes the hidden directory, and even a
// SIGKILL leaves no .git behind (only that hidden directory).

import { randomBytes } from 'node:crypto';
import { renameSync, rmdirSync, rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { basename, join } from 'node:path';
import { gitEnvironment, neutralConfig } from './git-env.js';
import { insideRepository } from './inside-repository.js';
import { runGit, type GitRun } from './run-git.js';

export type GitResult =
  | { status: 'committed'; branch: string; commit: string }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string };

export interface GitInitOptions {
  env: NodeJS.ProcessEnv;
  mlforgeVersion: string;
  timeoutMs?: number;
}

/** The prefix of the hidden directory a repository is built in (left behind only by a SIGKILL). */
export const GIT_STAGING_PREFIX = '.mlforge-git-';

const fallbackIdentity = ['-c', 'user.name=mlforge', '-c', 'user.email=mlforge@localhost'];
const missingIdentity = /Please tell me who you are|unable to auto-detect email address|empty ident name|no email was given|no name was given/;

export async function gitInit(directory: string, options: GitInitOptions): Promise<GitResult> {
  if (insideRepository(directory)) return { status: 'skipped', reason: 'the directory is inside an existing git repository' };
  const staging = join(directory, `${GIT_STAGING_PREFIX}${randomBytes(4).toString('hex')}`);
  let running: ChildProcess | undefined;
  let finished = false;
  const discard = () => {
    if (finished) return;
    running?.kill('SIGKILL');
    rmSync(staging, { recursive: true, force: true, maxRetries: 3 });
  };
  const release = onInterrupt(discard);
  const git = (args: string[]): Promise<GitRun> =>
    runGit(args, { cwd: directory, env: gitEnvironment(options.env), timeoutMs: options.timeoutMs ?? 60_000, onSpawn: (child) => (running = child) });
  try {
    // `git init` honours init.defaultBranch (and init.templateDir) on its own.
    const init = await git([...neutralConfig, 'init', '--quiet', staging]);
    if (init.spawnError?.code === 'ENOENT') return { status: 'skipped', reason: 'git is not installed' };
    if (!init.ok) return await failure('git init', init);
    const repository = ['--git-dir', join(staging, '.git'), '--work-tree', directory, ...neutralConfig];
    const add = await git([...repository, 'add', '--all', '--', '.', `:(exclude)${basename(staging)}`]);
    if (!add.ok) return await failure('git add', add);
    const message = `Initial commit from mlforge ${options.mlforgeVersion}`;
    // The user's identity when they have one (config or environment), never one git guesses from the host name.
    let commit = await git([...repository, '-c', 'user.useConfigOnly=true', 'commit', '--no-verify', '-m', message]);
    if (!commit.ok && !commit.signal && missingIdentity.test(commit.stderr)) {
      commit = await git([...repository, ...fallbackIdentity, 'commit', '--no-verify', '-m', message]);
    }
    if (!commit.ok) return await failure('git commit', commit);
    // Synchronous, so no signal handler runs between the rename and `finished`.
    renameSync(join(staging, '.git'), join(directory, '.git'));
    finished = true;
    rmdirSync(staging);
    return { status: 'committed', ...summary(commit.stdout) };
  } finally {
    release();
    discard();
  }
}

/** `[main (root-commit) 1a2b3c4] Initial commit ...`: the branch and the short commit id. */
function summary(stdout: string): { branch: string; commit: string } {
  const match = /^\[(.+) \(root-commit\) ([0-9a-f]+)\]/m.exec(stdout);
  return { branch: match?.[1] ?? 'unknown', commit: match?.[2] ?? 'unknown' };
}

async function failure(step: string, run: GitRun): Promise<GitResult> {
  if (run.signal === 'SIGINT' || run.signal === 'SIGTERM') await interruptedWith(run.signal);
  const why = run.signal ? `stopped by ${run.signal}` : run.stderr.trim() || run.spawnError?.message || 'failed';
  return { status: 'failed', reason: `${step}: ${why}` };
}

/**
 * Ctrl-C (or a TERM to the process group) reaches git and mlforge together, and git's exit can be
 * seen before mlforge's own copy of the signal is dispatched. So git stopped by either signal is
 * taken as the run being interrupted: the signal is raised in mlforge too, and the run ends through
 * the interrupt handlers (exit 130/143), never as "git failed, exit 0". Without a handler to end
 * the process (a library caller that ignores the signal), the step counts as a failure after 1 s.
 */
async function interruptedWith(signal: 'SIGINT' | 'SIGTERM'): Promise<void> {
  process.kill(process.pid, signal);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
}

/**
 * Runs `cleanup` first on SIGINT/SIGTERM while git runs (prepended, so it precedes the
 * process's own handler, which then reports the interrupt and exits 130/143). With no other
 * handler installed, the signal is raised again so it still ends the process.
 */
function onInterrupt(cleanup: () => void): () => void {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const handler = (signal: NodeJS.Signals) => {
    cleanup();
    if (process.listenerCount(signal) === 1) {
      release();
      process.kill(process.pid, signal);
    }
  };
  const release = () => signals.forEach((signal) => process.removeListener(signal, handler));
  signals.forEach((signal) => process.prependListener(signal, handler));
  return release;
}
