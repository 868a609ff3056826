// Doctor results for people (grouped, coloured on a terminal) and for
// machines (one JSON document). Both take the same CheckResult list.

import type { ChalkInstance } from 'chalk';
import type { Answers } from '../questions/table.js';
import type { CheckResult, CheckStatus } from './types.js';

export const groupTitles: Record<CheckResult['group'], string> = {
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
    const facts = [answers.cloud, answers.ci, answers.serving, answers.rollout, `Python ${answers.python}`].join(', ');
    lines.push(`${color.bold('mlforge doctor')} ${report.directory} ${color.dim(`(${facts})`)}`);
  }
  for (const group of Object.keys(groupTitles) as Array<CheckResult['group']>) {
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

function resultLines(result: CheckResult, color: ChalkInstance): string[] {
  if (result.status === 'passed') {
    const note = result.reason ? color.dim(` (${result.reason})`) : '';
    return [`  ${color.green('✔')} ${result.title}${note}`];
  }
  if (result.status === 'skipped') {
    return [`  ${color.yellow('○')} ${result.title} ${color.yellow(`skipped: ${result.reason ?? 'no reason given'}`)}`];
  }
  const lines = [`  ${color.red('✖')} ${result.title} ${color.dim(`[${result.id}]`)}`];
  if (result.reason) lines.push(`      ${result.reason}`);
  for (const finding of result.findings.slice(0, shownFindings)) {
    const where = finding.line === undefined ? finding.file : `${finding.file}:${finding.line}`;
    lines.push(`      ${color.cyan(where)} ${finding.message}`);
    if (finding.fix) lines.push(`        ${color.dim('fix:')} ${finding.fix}`);
  }
  const hidden = result.findings.length - shownFindings;
  if (hidden > 0) lines.push(color.dim(`      … and ${hidden} more (see --json)`));
  return lines;
}
