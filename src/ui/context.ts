// Side effects a command needs, injected so commands can be tested without
// module mocking: output streams, environment, terminal facts, exec.

import type { Prompter } from '../answers/resolve-answers.js';

export interface ExecResult {
  ok: boolean;
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}
export interface ExecOptions {
  cwd: string;
  timeoutMs?: number;
  /** The child's whole environment (nothing inherited) when given. */
  env?: Record<string, string>;
  /** Written to the child's stdin (else stdin is closed). */
  input?: string;
}
export type ExecFunction = (file: string, args: string[], options: ExecOptions) => Promise<ExecResult>;

export interface CommandContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Whether prompts can be answered (stdin and stdout are terminals). */
  interactive: boolean;
  /** Loads the interactive prompter lazily; only called when interactive. */
  loadPrompter: () => Promise<Prompter>;
  exec: ExecFunction;
  /** Registers a synchronous cleanup for SIGINT/SIGTERM; returns an unregister function. */
  onInterrupt: (cleanup: () => void) => () => void;
}

export async function execWithExeca(
  file: string,
  args: string[],
  options: ExecOptions,
): Promise<ExecResult> {
  const { execa } = await import('execa');
  const result = await execa(file, args, {
    cwd: options.cwd,
    reject: false,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    ...(options.env ? { env: options.env, extendEnv: false } : {}),
    timeout: options.timeoutMs ?? 60_000,
  });
  return {
    ok: result.exitCode === 0 && !result.failed,
    exitCode: result.exitCode,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? '') || (result.failed && result.exitCode === undefined ? (result.shortMessage ?? '') : ''),
  };
}
