// Small constructors for check outcomes, so every check reports alike.

import type { CheckResult, Finding } from './types.js';

export type CheckOutcome = Omit<CheckResult, 'id' | 'title' | 'group'>;

/** Failed with the findings, or passed (with an optional note on what was compared). */
export function outcome(findings: Finding[], passedNote?: string): CheckOutcome {
  if (findings.length > 0) return { status: 'failed', findings };
  return passedNote ? { status: 'passed', reason: passedNote, findings: [] } : { status: 'passed', findings: [] };
}

export function skippedOutcome(reason: string): CheckOutcome {
  return { status: 'skipped', reason, findings: [] };
}

/** A file the answers require is absent: always a failure, never a skip. */
export function missingFile(file: string, why: string): Finding {
  return { file, message: `Missing: ${why}.`, fix: `Restore ${file} (regenerate it with \`mlforge new --force\` into a copy and compare).` };
}

/** 1-based line of the first match of `pattern` in `text`. */
export function lineOfMatch(text: string, pattern: RegExp | string): number | undefined {
  const lines = text.split('\n');
  const index = lines.findIndex((line) => (typeof pattern === 'string' ? line.includes(pattern) : pattern.test(line)));
  return index === -1 ? undefined : index + 1;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
