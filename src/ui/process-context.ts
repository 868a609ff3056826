// The real process as a CommandContext.

import { isatty } from 'node:tty';
import type { Prompter } from '../answers/resolve-answers.js';
import { CancelledError } from '../errors.js';
import { execWithExeca, type CommandContext } from './context.js';

const cleanups = new Set<() => void>();
/** Set once a writer registers a cleanup: from then on, with no cleanup left, the files are in place. */
let writeStarted = false;
let installed = false;

function installSignalHandlers(stderr: NodeJS.WritableStream): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // A registered cleanup means a write was under way and has just been undone; without one the
      // signal came before the write (nothing written) or after it (the files stay: claim nothing).
      const undone = [...cleanups];
      const failed = undone.filter((cleanup) => {
        try {
          cleanup();
          return false;
        } catch {
          return true;
        }
      });
      const outcome =
        failed.length > 0 ? ': the partial output could not all be removed.' : undone.length > 0 || !writeStarted ? ': nothing was written.' : '.';
      const error = new CancelledError(`Interrupted by ${signal}${outcome}`, signal);
      stderr.write(`${error.message}\n`);
      process.exit(error.exitCode);
    });
  }
}

/**
 * A reader that went away (`| head -1`), a full device (`>/dev/full`) or a
 * closed terminal must not abort a run half way: output is for people, the
 * work (files, git) goes on and the exit code is the work's. Errors of the
 * standard streams are swallowed; later writes to them are dropped.
 */
function guardOutputStreams(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') === 0) stream.on('error', () => {});
  }
}

export function processContext(): CommandContext {
  guardOutputStreams();
  installSignalHandlers(process.stderr);
  // Output is best effort: a closed pipe (`| head -1`) or a full device must not stop the run (or git) half way.
  for (const stream of [process.stdout, process.stderr]) if (stream.listenerCount('error') === 0) stream.on('error', () => {});
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    // isatty(0), not process.stdin.isTTY: the stdin stream is only made when a prompt reads it.
    interactive: isatty(0) && process.stdout.isTTY === true,
    loadPrompter: async (): Promise<Prompter> => (await import('./prompter.js')).createInquirerPrompter(),
    exec: execWithExeca,
    onInterrupt: (cleanup) => {
      writeStarted = true;
      cleanups.add(cleanup);
      return () => cleanups.delete(cleanup);
    },
  };
}
