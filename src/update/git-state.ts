// Whether the repository has uncommitted changes under the target folder.
// git runs with the repository's own configuration neutralised (no fsmonitor
// program, no hooks) and without inherited GIT_* variables, so a hostile
// repository cannot run code through `mlforge update`.

import { execFile } from 'node:child_process';

export type GitState =
  | { kind: 'clean' }
  | { kind: 'dirty'; paths: string[] }
  | { kind: 'no-git'; reason: string };

const neutral = ['-c', 'core.fsmonitor=', '-c', 'core.hooksPath=/dev/null', '-c', 'core.untrackedCache=false'];

export async function gitState(directory: string): Promise<GitState> {
  const inside = await git(directory, ['rev-parse', '--is-inside-work-tree']);
  if (inside.error === 'ENOENT') return { kind: 'no-git', reason: 'git is not installed' };
  if (!inside.ok || inside.stdout.trim() !== 'true') return { kind: 'no-git', reason: 'not inside a git work tree' };
  const status = await git(directory, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', '.']);
  if (!status.ok) return { kind: 'no-git', reason: `git status failed: ${status.stderr.trim()}` };
  const paths = status.stdout
    .split('\0')
    .filter((entry) => entry.length > 3)
    .map((entry) => entry.slice(3));
  return paths.length === 0 ? { kind: 'clean' } : { kind: 'dirty', paths };
}

function git(cwd: string, args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string; error?: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_')));
  return new Promise((resolve) => {
    execFile('git', [...neutral, ...args], { cwd, env, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      resolve({ ok: error === null, stdout: String(stdout), stderr: String(stderr), ...(typeof code === 'string' ? { error: code } : {}) });
    });
  });
}
