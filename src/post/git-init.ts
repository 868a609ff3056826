// Post-step: `git init` and an initial commit holding exactly the files mlforge
// wrote. Skipped inside an existing repository; a missing git is a warning, not
// a failure.
//
// The commit is made by `git fast-import` from one stream (commit-stream.ts),
// which writes a single pack, then `git reset` writes the index: a `git add` of
// the tree writes a loose object per file and per directory, and with `git
// commit` that cost about three times as long here. Identities and the branch come from
// git itself (`git var`, `git symbolic-ref`), asked in parallel.
//
// The repository is built in a hidden directory inside the target
// (.mlforge-git-<8 hex digits>/.git, with the target as work tree) and renamed to
// .git only once the commit and its index exist, so the target never holds a
// half-made .git: an interrupt, a failure or a timeout removes the hidden
// directory, and even a SIGKILL leaves no .git behind (only that directory).

import { randomBytes } from 'node:crypto';
import { renameSync, rmdirSync, rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ChangedFileError, commitStream } from './commit-stream.js';
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
  /** The files mlforge wrote, relative to the directory: exactly these are committed. */
  paths: readonly string[];
  timeoutMs?: number;
}

/** The prefix of the hidden directory a repository is built in (left behind only by a SIGKILL). */
export const GIT_STAGING_PREFIX = '.mlforge-git-';

const fallbackIdentity = ['-c', 'user.name=mlforge', '-c', 'user.email=mlforge@localhost'];
const missingIdentity = /Please tell me who you are|unable to auto-detect email address|empty ident name|no email was given|no name was given/;

export async function gitInit(directory: string, options: GitInitOptions): Promise<GitResult> {
  if (insideRepository(directory)) return { status: 'skipped', reason: 'the directory is inside an existing git repository' };
  const staging = join(directory, `${GIT_STAGING_PREFIX}${randomBytes(4).toString('hex')}`);
  const running = new Set<ChildProcess>();
  let finished = false;
  const discard = () => {
    if (finished) return;
    for (const child of running) child.kill('SIGKILL');
    rmSync(staging, { recursive: true, force: true, maxRetries: 3 });
  };
  const release = onInterrupt(discard);
  const git = (args: string[], input?: Buffer): Promise<GitRun> => {
    let mine: ChildProcess | undefined;
    return runGit(args, {
      cwd: directory,
      env: gitEnvironment(options.env),
      timeoutMs: options.timeoutMs ?? 60_000,
      ...(input ? { input } : {}),
      onSpawn: (child) => {
        if (child) running.add((mine = child));
        else if (mine) running.delete(mine);
      },
    });
  };
  try {
    // `git init` honours init.defaultBranch (and init.templateDir) on its own.
    const init = await git([...neutralConfig, 'init', '--quiet', staging]);
    if (init.spawnError?.code === 'ENOENT') return { status: 'skipped', reason: 'git is not installed' };
    if (!init.ok) return await failure('git init', init);
    const repository = ['--git-dir', join(staging, '.git'), '--work-tree', directory, ...neutralConfig];
    const [author, committer, head] = await Promise.all([
      identity(git, repository, 'GIT_AUTHOR_IDENT'),
      identity(git, repository, 'GIT_COMMITTER_IDENT'),
      git([...repository, 'symbolic-ref', 'HEAD']),
    ]);
    if ('failed' in author) return await failure('git var', author.failed);
    if ('failed' in committer) return await failure('git var', committer.failed);
    if (!head.ok) return await failure('git symbolic-ref', head);
    const ref = head.stdout.trim();
    let stream: Buffer;
    try {
      stream = commitStream({
        directory,
        paths: options.paths,
        ref,
        author: author.ident,
        committer: committer.ident,
        message: `Initial commit from mlforge ${options.mlforgeVersion}\n`,
      });
    } catch (error) {
      if (error instanceof ChangedFileError) return { status: 'failed', reason: `git commit: ${error.message}` };
      throw error;
    }
    // No deltas (one commit has nothing to delta against) and fast zlib, as git's own loose objects.
    const imported = await git([...repository, '-c', 'pack.compression=1', 'fast-import', '--quiet', '--done', '--depth=0'], stream);
    if (!imported.ok) return await failure('git fast-import', imported);
    const reset = await git([...repository, 'reset', '--quiet']);
    if (!reset.ok) return await failure('git reset', reset);
    // Synchronous, so no signal handler runs between the rename and `finished`.
    renameSync(join(staging, '.git'), join(directory, '.git'));
    finished = true;
    rmdirSync(staging);
    return { status: 'committed', branch: ref.replace(/^refs\/heads\//, ''), commit: imported.stdout.trim().slice(0, 7) };
  } finally {
    release();
    discard();
  }
}

/**
 * The identity git would commit with (`git var`, honouring the GIT_AUTHOR_ and GIT_COMMITTER_ variables and the
 * config); never one git guesses from the host name: without one, mlforge <mlforge@localhost>.
 */
async function identity(
  git: (args: string[]) => Promise<GitRun>,
  repository: string[],
  variable: 'GIT_AUTHOR_IDENT' | 'GIT_COMMITTER_IDENT',
): Promise<{ ident: string } | { failed: GitRun }> {
  let found = await git([...repository, '-c', 'user.useConfigOnly=true', 'var', variable]);
  if (!found.ok && !found.signal && missingIdentity.test(found.stderr)) found = await git([...repository, ...fallbackIdentity, 'var', variable]);
  const ident = found.stdout.trim();
  return found.ok && ident !== '' && !ident.includes('\n') ? { ident } : { failed: found };
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
