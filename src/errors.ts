// Typed errors. Commands throw these; only src/cli.ts turns them into exit codes.

export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  conflict: 3,
  cancelled: 130,
  terminated: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class MlforgeError extends Error {
  readonly exitCode: ExitCodeValue = ExitCode.internal;
  /** The answer or option the error is about, when there is one. */
  readonly field?: string;
  constructor(message: string, options?: { cause?: unknown; field?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.field !== undefined) this.field = options.field;
  }
}

/** Bad command line, bad config file, or an answer that breaks a rule. */
export class UsageError extends MlforgeError {
  override readonly exitCode = ExitCode.usage;
}

/** The target directory holds something mlforge must not touch. */
export class ConflictError extends MlforgeError {
  override readonly exitCode = ExitCode.conflict;
}

/** The user pressed Ctrl-C or the process got SIGINT/SIGTERM. */
export class CancelledError extends MlforgeError {
  override readonly exitCode: ExitCodeValue = ExitCode.cancelled;
  constructor(message = 'Cancelled: nothing was written.', signal: 'SIGINT' | 'SIGTERM' = 'SIGINT') {
    super(message);
    if (signal === 'SIGTERM') this.exitCode = ExitCode.terminated;
  }
}

/** Checks ran and at least one failed (used by `doctor`). */
export class ChecksFailedError extends MlforgeError {
  override readonly exitCode = ExitCode.internal;
}

export function exitCodeFor(error: unknown): ExitCodeValue {
  return error instanceof MlforgeError ? error.exitCode : ExitCode.internal;
}
