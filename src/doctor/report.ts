// Doctor results for people (grouped, coloured on a terminal) and for
// machines (one JSON document). Both take the same CheckResult list.

import type { ChalkInstance } from 'chalk';
import type { Answers } from '../questions/table.js';
import { escapeForTerminal as safe } from './safe-text.js';
import { checkGroups, type CheckGroup, type CheckResult, type CheckStatus } from './types.js';

export const groupTitles: Record<CheckGroup, string> = {
  repository: 'Repository files',
  agreement: 'Cross-file agreement',
  validator: 'Validators',
  practice: 'Best practices',
};

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  total: number;
}

export interface DoctorReport {
  ok: boolean;
  directory: string;
  answers: Answers;
  summary: Summary;
  durationMs: number;
  checks: CheckResult[];
}

export function summarize(results: readonly CheckResult[]): Summary {
  const count = (status: CheckStatus) => results.filter((result) => result.status === status).length;
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), total: results.length };
}

export function jsonReport(directory: string, answers: Answers, results: CheckResult[], durationMs: number): DoctorReport {
  const summary = summarize(results);
  return { ok: summary.failed === 0, directory, answers, summary, durationMs, checks: results };
}

/** Findings shown per failed check in the human report; --json has them all. */
const shownFindings = 15;

export function humanReport(
  report: DoctorReport,
  color: ChalkInstance,
  options: { quiet: boolean } = { quiet: false },
): string {
  const lines: string[] = [];
  const { answers } = report;
  if (!options.quiet) {
    const facts = [answers.cloud, answers.ci, answers.serving, answers.rollout, `Python ${answers.python}`].map((fact) => safe(String(fact))).join(', ');
    lines.push(`${color.bold('mlforge doctor')} ${safe(report.directory)} ${color.dim(`(${facts})`)}`);
  }
  for (const group of checkGroups) {
    const results = report.checks.filter((result) => result.group === group && (!options.quiet || result.status === 'failed'));
    if (results.length === 0) continue;
    lines.push('', color.bold(groupTitles[group]));
    for (const result of results) lines.push(...resultLines(result, color));
  }
  const { passed, failed, skipped } = report.summary;
  const totals = [
    color.green(`${passed} passed`),
    failed > 0 ? color.red(`${failed} failed`) : `${failed} failed`,
    color.yellow(`${skipped} skipped`),
  ].join(', ');
  if (!options.quiet || failed > 0) lines.push('', `${totals} in ${(report.durationMs / 1000).toFixed(1)} s`);
  return `${lines.join('\n')}\n`;
}

/** One line per group as it finishes, for a terminal while the rest still runs. */
export function groupProgressLine(group: CheckGroup, results: readonly CheckResult[], elapsedMs: number, color: ChalkInstance): string {
  const { passed, failed, skipped } = summarize(results);
  const mark = failed > 0 ? color.red('✖') : color.green('✔');
  const counts = [`${passed} passed`, ...(failed > 0 ? [color.red(`${failed} failed`)] : []), ...(skipped > 0 ? [`${skipped} skipped`] : [])].join(', ');
  return `${mark} ${groupTitles[group]}: ${counts} ${color.dim(`(${(elapsedMs / 1000).toFixed(1)} s)`)}\n`;
}

// Everything from the repository or a tool is escaped: a file must not be able to drive the terminal.
function resultLines(result: CheckResult, color: ChalkInstance): string[] {
  const title = safe(result.title);
  if (result.status === 'passed') {
    const note = result.reason ? color.dim(` (${safe(result.reason)})`) : '';
    return [`  ${color.green('✔')} ${title}${note}`];
  }
  if (result.status === 'skipped') {
    return [`  ${color.yellow('○')} ${title} ${color.yellow(`skipped: ${safe(result.reason ?? 'no reason given')}`)}`];
  }
  const lines = [`  ${color.red('✖')} ${title} ${color.dim(`[${result.id}]`)}`];
  if (result.reason) lines.push(`      ${safe(result.reason)}`);
  for (const finding of result.findings.slice(0, shownFindings)) {
    const where = finding.line === undefined ? safe(finding.file) : `${safe(finding.file)}:${finding.line}`;
    lines.push(`      ${color.cyan(where)} ${safe(finding.message)}`);
    if (finding.fix) lines.push(`        ${color.dim('fix:')} ${safe(finding.fix)}`);
  }
  const hidden = result.findings.length - shownFindings;
  if (hidden > 0) lines.push(color.dim(`      … and ${hidden} more (see --json)`));
  return lines;
}
