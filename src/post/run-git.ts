// One git process through node's child_process: output captured (git never
// writes to mlforge's stdout, so a closed stdout cannot stop it), stdin closed,
// bounded by a timeout.

import { spawn, type ChildProcess } from 'node:child_process';

export interface GitRun {
  ok: boolean;
  /** The spawn failed (ENOENT: git is not installed). */
  spawnError?: NodeJS.ErrnoException;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runGit(
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; onSpawn: (child: ChildProcess | undefined) => void },
): Promise<GitRun> {
  return new Promise((resolve) => {
    const child = spawn('git', args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    // Our own timer: spawn's `timeout` keeps the process alive when git never started.
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    options.onSpawn(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    let spawnError: NodeJS.ErrnoException | undefined;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      options.onSpawn(undefined);
      resolve({
        ok: code === 0 && !spawnError,
        ...(spawnError ? { spawnError } : {}),
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
      // A process that never started (ENOENT, EACCES) emits no 'close'.
      if (child.pid === undefined) {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(null, null);
      }
    });
    child.on('close', finish);
  });
}
