// `mlforge update [directory]` and `mlforge update --check`: prints per-file
// verdicts (or the JSON report) and maps conflicts and drift to exit 1.

import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { CommandContext } from '../ui/context.js';
import { createOutput, type Output } from '../ui/output.js';
import { checkDrift, type CheckResult } from '../update/check-drift.js';
import { runUpdate, UpdateConflictsError, type UpdateRequest, type UpdateResult } from '../update/run-update.js';
import { parseSets } from '../update/update-answers.js';

export interface UpdateCommandOptions {
  set: string[];
  dryRun: boolean;
  check: boolean;
  allowDirty: boolean;
  json: boolean;
  quiet: boolean;
}

export async function runUpdateCommand(directory: string | undefined, options: UpdateCommandOptions, ctx: CommandContext): Promise<void> {
  const out = createOutput(ctx, options);
  const dir = resolveDir(ctx, directory);
  if (options.check) {
    if (options.set.length > 0 || options.dryRun) throw new UsageError('--check only checks: it cannot be combined with --set or --dry-run.', { field: 'check' });
    const result = await checkDrift(dir);
    printCheck(out, ctx, result, options.json);
    if (!result.ok) throw new UpdateConflictsError(`${result.drift.length} problem(s): the repository drifted from what .mlforge.yml declares.`);
    return;
  }
  const sets = parseSets(options.set);
  await runAndReport(out, ctx, { directory: dir, sets, pinned: false, dryRun: options.dryRun, allowDirty: options.allowDirty }, options.json, 'update');
}

export function resolveDir(ctx: CommandContext, directory: string | undefined): string {
  return resolve(ctx.cwd, directory ?? '.');
}

export async function runAndReport(
  out: Output,
  ctx: CommandContext,
  request: Omit<UpdateRequest, 'onInterrupt' | 'beforeStep'>,
  json: boolean,
  command: 'update' | 'add',
): Promise<UpdateResult> {
  const result = await runUpdate({ ...request, onInterrupt: ctx.onInterrupt, ...stepDelayForTests(ctx.env) });
  if (json) ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else printUpdate(out, result, command);
  const conflicts = result.files.filter((file) => file.verdict === 'conflict');
  if (conflicts.length > 0) {
    throw new UpdateConflictsError(
      `${conflicts.length} conflict(s)${result.dryRun ? ' predicted' : ''}: ${conflicts.map((file) => file.path).join(', ')}. ` +
        (result.dryRun ? 'The real run would leave them for you to resolve.' : 'Resolve them (markers are labelled yours / mlforge <version>), then commit.'),
    );
  }
  return result;
}

function printUpdate(out: Output, result: UpdateResult, command: 'update' | 'add'): void {
  const versions = result.from === result.to ? `mlforge ${result.to}` : `mlforge ${result.from} -> ${result.to}`;
  out.line(out.color.bold(`mlforge ${command}: ${versions}${result.dryRun ? ' (dry run: nothing is written)' : ''}`));
  const colours: Record<string, (text: string) => string> = {
    conflict: out.color.red,
    merged: out.color.cyan,
    updated: out.color.green,
    added: out.color.green,
    removed: out.color.yellow,
  };
  let unchanged = 0;
  for (const file of result.files) {
    if (file.verdict === 'unchanged') {
      unchanged++;
      continue;
    }
    const label = (colours[file.verdict] ?? ((text: string) => text))(file.verdict.padEnd(10));
    const details = [file.from ? `from ${file.from}` : '', file.how && file.how !== 'lines' && file.how !== 'markers' ? `by ${file.how}` : '', file.reason ?? '']
      .filter(Boolean)
      .join('; ');
    out.line(`  ${label} ${file.path}${details ? ` (${details})` : ''}`);
  }
  if (unchanged > 0) out.line(`  ${unchanged} unchanged`);
  for (const notice of result.notices) out.warn(notice);
  const verb = result.dryRun ? 'would change' : 'changed';
  if (result.status === 'nothing') out.line('Nothing to do: the repository is up to date.');
  else out.line(`${result.changed.length} path(s) ${verb}${result.dryRun ? '' : '; review with `git diff` and commit'}.`);
}

function printCheck(out: Output, ctx: CommandContext, result: CheckResult, json: boolean): void {
  if (json) {
    ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  for (const drift of result.drift) out.line(`  ${out.color.red(drift.problem)} ${drift.path}: ${drift.detail}`);
  for (const notice of result.notices) out.line(`notice: ${notice}`);
  out.line(result.ok ? `mlforge update --check: matches mlforge ${result.version}.` : `mlforge update --check: ${result.drift.length} problem(s).`);
}

/** MLFORGE_TEST_WRITE_DELAY_MS slows each step of the write so tests can interrupt it midway. */
function stepDelayForTests(env: NodeJS.ProcessEnv) {
  const delay = Number(env.MLFORGE_TEST_WRITE_DELAY_MS ?? 0);
  if (!(delay > 0)) return {};
  return { beforeStep: () => new Promise<void>((done) => setTimeout(done, delay)) };
}
