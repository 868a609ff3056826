// Post-step: `git init` and an initial commit. Skipped inside an existing
// repository; a missing git is a warning, not a failure.

import type { ExecFunction } from '../ui/context.js';

export type GitResult =
  | { status: 'committed'; branch: string; commit: string }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string };

export async function gitInit(directory: string, exec: ExecFunction, mlforgeVersion: string): Promise<GitResult> {
  const version = await exec('git', ['--version'], { cwd: directory });
  if (!version.ok) return { status: 'skipped', reason: 'git is not installed' };
  const inside = await exec('git', ['rev-parse', '--is-inside-work-tree'], { cwd: directory });
  if (inside.ok && inside.stdout.trim() === 'true') {
    return { status: 'skipped', reason: 'the directory is inside an existing git repository' };
  }
  // `git init` honours init.defaultBranch on its own.
  const steps: string[][] = [['init', '--quiet'], ['add', '--all']];
  const identity = await exec('git', ['config', 'user.email'], { cwd: directory });
  const commitArgs = [
    // No hooks, no signing prompt: a scaffolder must never wait for input.
    '-c', 'commit.gpgsign=false',
    ...(identity.ok && identity.stdout.trim() ? [] : ['-c', 'user.name=mlforge', '-c', 'user.email=mlforge@localhost']),
    'commit', '--quiet', '--no-verify', '-m', `Initial commit from mlforge ${mlforgeVersion}`,
  ];
  steps.push(commitArgs);
  for (const args of steps) {
    const result = await exec('git', args, { cwd: directory });
    if (!result.ok) return { status: 'failed', reason: `git ${args.filter((a) => !a.includes('=')).join(' ')}: ${result.stderr.trim()}` };
  }
  const head = await exec('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: directory });
  const commit = await exec('git', ['rev-parse', '--short', 'HEAD'], { cwd: directory });
  return { status: 'committed', branch: head.stdout.trim(), commit: commit.stdout.trim() };
}
