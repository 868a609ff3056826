// `mlforge doctor [directory]`: read-only checks of a generated repository.
// Prints a grouped report (or one JSON document with --json) and throws
// ChecksFailedError when any check failed, so the CLI exits 1.

import { resolve } from 'node:path';
import { Chalk } from 'chalk';
import { allChecks } from '../doctor/checks.js';
import { jsonReport, humanReport, type DoctorReport } from '../doctor/report.js';
import { loadRepoView } from '../doctor/repo-view.js';
import { doctorExitCode, runDoctor } from '../doctor/run-doctor.js';
import type { Check } from '../doctor/types.js';
import { ChecksFailedError, UsageError } from '../errors.js';
import type { CommandContext } from '../ui/context.js';
import { colorEnabled } from '../ui/output.js';

export interface DoctorCommandOptions {
  json: boolean;
  quiet: boolean;
  /** Groups (agreement, validator, practice) or check ids to run. */
  only?: string[];
}

export async function runDoctorCommand(
  directoryArg: string | undefined,
  options: DoctorCommandOptions,
  ctx: CommandContext,
): Promise<DoctorReport> {
  const checks = selectChecks(options.only);
  const directory = resolve(ctx.cwd, directoryArg ?? '.');
  const repo = await loadRepoView(directory);
  const started = performance.now();
  const results = await runDoctor(repo, { checks });
  const report = jsonReport(directory, repo.answers, results, Math.round(performance.now() - started));
  if (options.json) ctx.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else ctx.stdout.write(humanReport(report, new Chalk({ level: colorEnabled(ctx, ctx.stdout) ? 1 : 0 }), options));
  if (doctorExitCode(results) !== 0) {
    const failed = results.filter((result) => result.status === 'failed').map((result) => result.id);
    throw new ChecksFailedError(`${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.join(', ')}.`);
  }
  return report;
}

export function selectChecks(only: readonly string[] | undefined): readonly Check[] {
  if (!only || only.length === 0) return allChecks;
  const groups = new Set(['agreement', 'validator', 'practice']);
  const unknown = only.filter((item) => !groups.has(item) && !allChecks.some((check) => check.id === item));
  if (unknown.length > 0) {
    throw new UsageError(
      `--only: unknown group or check ${unknown.map((item) => `"${item}"`).join(', ')}. Use agreement, validator, practice or a check id (${allChecks.map((check) => check.id).join(', ')}).`,
      { field: 'only' },
    );
  }
  return allChecks.filter((check) => only.includes(check.group) || only.includes(check.id));
}
