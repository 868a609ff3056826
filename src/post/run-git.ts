// One git process through node's child_process: output captured (git never
// writes to mlforge's stdout, so a closed stdout cannot stop it), stdin closed
// or fed a given input, bounded by a timeout.

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
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; onSpawn: (child: ChildProcess | undefined) => void; input?: Buffer },
): Promise<GitRun> {
  return new Promise((resolve) => {
    const child = spawn('git', args, { cwd: options.cwd, env: options.env, stdio: [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    if (options.input && child.stdin) {
      // A git that exits early (a fatal error) closes its end: its exit status tells why, not EPIPE.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
    // Our own timer: spawn's `timeout` keeps the process alive when git never started.
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    options.onSpawn(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    // Both are pipes (stdio above).
    const [out, err] = [child.stdout!, child.stderr!];
    out.on('data', (chunk: Buffer) => stdout.push(chunk));
    err.on('data', (chunk: Buffer) => stderr.push(chunk));
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
        child.stdin?.destroy();
        out.destroy();
        err.destroy();
        finish(null, null);
      }
    });
    child.on('close', finish);
  });
}
