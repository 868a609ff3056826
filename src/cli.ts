// The command-line entry: builds the commander program from the questions
// table, runs a command, and maps every error to an exit code in one place.

import { mlforgeVersion } from './version.js';
import { CancelledError, ChecksFailedError, ConflictError, ExitCode, exitCodeFor, MlforgeError, UsageError } from './errors.js';
import type { CommandContext } from './ui/context.js';

export async function run(argv: string[], ctx?: CommandContext): Promise<number> {
  // Fast path: `--version` loads nothing else.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    (ctx?.stdout ?? process.stdout).write(`${mlforgeVersion}\n`);
    return ExitCode.ok;
  }
  // `mlforge` alone is a request for help: printed on stdout, exit 0.
  if (argv.length === 0) argv = ['--help'];
  const context = ctx ?? (await import('./ui/process-context.js')).processContext();
  const json = argv.includes('--json');
  try {
    const { buildProgram } = await import('./program.js');
    await buildProgram(context).parseAsync(argv, { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    return reportError(error, context, json);
  }
}

function reportError(error: unknown, ctx: CommandContext, json: boolean): number {
  const commander = error as { code?: string; exitCode?: number };
  if (typeof commander.code === 'string' && commander.code.startsWith('commander.')) {
    // commander already printed its message (help, version or a usage error).
    if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(commander.code)) return ExitCode.ok;
    const message = (error as Error).message.replace(/^error: /, '');
    if (json) ctx.stdout.write(`${JSON.stringify({ ok: false, error: { code: ExitCode.usage, kind: 'usage', message } })}\n`);
    return ExitCode.usage;
  }
  const code = exitCodeFor(error);
  const message = error instanceof Error ? error.message : String(error);
  // `doctor --json` has already printed its full report: one JSON document only.
  if (json && !(error instanceof ChecksFailedError)) {
    const field = error instanceof MlforgeError ? error.field : undefined;
    ctx.stdout.write(`${JSON.stringify({ ok: false, error: { code, kind: errorKind(error), message, ...(field ? { field } : {}) } })}\n`);
  }
  if (error instanceof CancelledError) ctx.stderr.write(`${message}\n`);
  else if (error instanceof UsageError || error instanceof MlforgeError) ctx.stderr.write(`mlforge: ${message}\n`);
  else {
    ctx.stderr.write(`mlforge: internal error: ${message}\n`);
    if (ctx.env.MLFORGE_DEBUG) ctx.stderr.write(`${(error as Error).stack ?? ''}\n`);
    else ctx.stderr.write('Run again with MLFORGE_DEBUG=1 for the stack trace, and please report it.\n');
  }
  return code;
}

/**
 * The symbolic `error.kind` of `--json` output, next to the numeric exit status in `error.code`.
 * By class, not by `error.name`: the bundle is minified, so class names are not kept.
 */
export function errorKind(error: unknown): string {
  const own = (error as { kind?: unknown } | undefined)?.kind;
  if (typeof own === 'string') return own;
  if (error instanceof UsageError) return error.field === 'config' ? 'invalid-config' : error.field ? 'invalid-answer' : 'usage';
  if (error instanceof ConflictError) return 'target-conflict';
  if (error instanceof CancelledError) return error.exitCode === ExitCode.terminated ? 'terminated' : 'cancelled';
  if (error instanceof ChecksFailedError) return 'checks-failed';
  return error instanceof MlforgeError ? 'failed' : 'internal';
}
