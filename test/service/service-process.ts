// Starts a generated service with uvicorn on a free loopback port and stops it
// with SIGTERM, the way a container runtime does. Shared by the HTTP test and
// the serving benchmark.

import { execa, type ResultPromise } from 'execa';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

export interface RunningService {
  url: string;
  pid: number;
  /**
   * SIGTERM, wait for exit (at most 30 s, then SIGKILL): whether it shut down
   * cleanly and everything it logged. uvicorn finishes in-flight requests, runs
   * the lifespan shutdown, then re-raises SIGTERM, so "clean" means exit code 0
   * or death by that SIGTERM after uvicorn logged the end of its process.
   */
  stop(): Promise<{ clean: boolean; logs: string }>;
}

/** A port the kernel just handed out on 127.0.0.1 (then released for the service to take). */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Write the service's output to this file instead of collecting it in memory (long load runs). */
  logFile?: string;
}

export async function startService(python: string, cwd: string, appImport: string, options: StartOptions = {}): Promise<RunningService> {
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const child: ResultPromise = execa(python, ['-m', 'uvicorn', appImport, '--host', '127.0.0.1', '--port', String(port), '--no-access-log', '--timeout-graceful-shutdown', '5'], {
    cwd,
    env: { MLFLOW_TRACKING_URI: '', ...options.env },
    reject: false,
    stdin: 'ignore',
    ...(options.logFile ? { stdout: { file: options.logFile }, stderr: { file: options.logFile, append: true } } : { all: true }),
  });
  let logs = '';
  child.all?.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const result = await child;
    clearTimeout(timer);
    if (options.logFile) logs = await readFile(options.logFile, 'utf8');
    const finished = logs.includes('Finished server process');
    return { clean: result.exitCode === 0 || (result.signal === 'SIGTERM' && finished), logs };
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`uvicorn exited with ${child.exitCode} before answering:\n${logs}${options.logFile ? `(log: ${options.logFile})` : ''}`);
    const healthy = await fetch(`${url}/health`).then((response) => response.ok, () => false);
    if (healthy) return { url, pid: child.pid!, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`uvicorn did not answer ${url}/health within 60 s:\n${logs}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
