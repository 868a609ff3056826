// `mlforge doctor [directory]`: read-only checks of a generated repository.
// Prints one line per group as it finishes (on a terminal), then a grouped
// report (or one JSON document with --json), and throws ChecksFailedError
// when any check failed, so the CLI exits 1. Tools run through ctx.exec.

import { resolve } from 'node:path';
import { Chalk } from 'chalk';
import { allChecks } from '../doctor/checks.js';
import { groupProgressLine, humanReport, jsonReport, type DoctorReport } from '../doctor/report.js';
import { loadRepoView } from '../doctor/repo-view.js';
import { doctorExitCode, runDoctor } from '../doctor/run-doctor.js';
import { escapeForTerminal, inertJson } from '../doctor/safe-text.js';
import { checkGroups, type CheckGroup, type CheckResult, type RegisteredCheck } from '../doctor/types.js';
import { ChecksFailedError, UsageError } from '../errors.js';
import type { CommandContext } from '../ui/context.js';
import { colorEnabled } from '../ui/output.js';

export interface DoctorCommandOptions {
  json: boolean;
  quiet: boolean;
  /** Groups (repository, agreement, validator, practice) or check ids to run. */
  only?: string[];
}

export async function runDoctorCommand(
  directoryArg: string | undefined,
  options: DoctorCommandOptions,
  ctx: CommandContext,
): Promise<DoctorReport> {
  const checks = selectChecks(options.only);
  const directory = resolve(ctx.cwd, directoryArg ?? '.');
  const repo = await loadRepoView(directory, { exec: ctx.exec, env: ctx.env });
  const started = performance.now();
  const onResult = !options.json && !options.quiet && ctx.stderr.isTTY === true ? groupProgress(checks, ctx, started) : undefined;
  const results = await runDoctor(repo, { checks, ...(onResult ? { onResult } : {}) });
  const report = jsonReport(directory, repo.answers, results, Math.round(performance.now() - started));
  if (options.json) ctx.stdout.write(`${inertJson(report)}\n`);
  else ctx.stdout.write(humanReport(report, new Chalk({ level: colorEnabled(ctx, ctx.stdout) ? 1 : 0 }), options));
  if (doctorExitCode(results) !== 0) {
    const failed = results.filter((result) => result.status === 'failed').map((result) => result.id);
    throw new ChecksFailedError(`${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.join(', ')}.`);
  }
  return report;
}

/** On a terminal: one plain line on stderr as each group's last check finishes (no spinner, no redraw). */
function groupProgress(checks: readonly RegisteredCheck[], ctx: CommandContext, started: number): (result: CheckResult) => void {
  const color = new Chalk({ level: colorEnabled(ctx, ctx.stderr) ? 1 : 0 });
  const pending = new Map<CheckGroup, number>();
  const done = new Map<CheckGroup, CheckResult[]>();
  for (const check of checks) pending.set(check.group, (pending.get(check.group) ?? 0) + 1);
  return (result) => {
    const finished = [...(done.get(result.group) ?? []), result];
    done.set(result.group, finished);
    if (finished.length === pending.get(result.group)) ctx.stderr.write(groupProgressLine(result.group, finished, performance.now() - started, color));
  };
}

export function selectChecks(only: readonly string[] | undefined): readonly RegisteredCheck[] {
  if (!only || only.length === 0) return allChecks;
  const groups = new Set<string>(checkGroups);
  const unknown = only.filter((item) => !groups.has(item) && !allChecks.some((check) => check.id === item));
  if (unknown.length > 0) {
    throw new UsageError(
      `--only: unknown group or check ${unknown.map((item) => `"${escapeForTerminal(item)}"`).join(', ')}. Use ${checkGroups.join(', ')} or a check id (${allChecks.map((check) => check.id).join(', ')}).`,
      { field: 'only' },
    );
  }
  return allChecks.filter((check) => only.includes(check.group) || only.includes(check.id));
}
