// The real process as a CommandContext.

import type { Prompter } from '../answers/resolve-answers.js';
import { CancelledError } from '../errors.js';
import { execWithExeca, type CommandContext } from './context.js';

const cleanups = new Set<() => void>();
let installed = false;

function installSignalHandlers(stderr: NodeJS.WritableStream): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      for (const cleanup of cleanups) cleanup();
      const error = new CancelledError(`Interrupted by ${signal}: nothing was written.`, signal);
      stderr.write(`${error.message}\n`);
      process.exit(error.exitCode);
    });
  }
}

export function processContext(): CommandContext {
  installSignalHandlers(process.stderr);
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
    loadPrompter: async (): Promise<Prompter> => (await import('./prompter.js')).createInquirerPrompter(),
    exec: execWithExeca,
    onInterrupt: (cleanup) => {
      cleanups.add(cleanup);
      return () => cleanups.delete(cleanup);
    },
  };
}
