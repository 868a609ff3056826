// Small constructors for check outcomes, so every check reports alike.

import { posix } from 'node:path';
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
  return { file, message: `Missing: ${why}.`, fix: `From the repository root, regenerate it into a fresh copy and take it from there: \`${restoreCommand(file)}\`` };
}

/**
 * The shell command (run from the repository root) that regenerates the
 * repository from its own answers into a new temporary directory and copies
 * `path` (a file, or a directory when it ends in "/") back. Tested by running it.
 */
export function restoreCommand(path: string): string {
  const directory = path.endsWith('/');
  const target = path.replace(/\/+$/, '');
  const parent = posix.dirname(target);
  const regenerate = 'copy="$(mktemp -d)/repo" && mlforge new "$copy" --config .mlforge.yml --yes --no-git --quiet';
  const makeParent = directory ? `mkdir -p ${shellWord(target)}` : parent === '.' ? '' : `mkdir -p ${shellWord(parent)}`;
  const take = directory ? `cp -R "$copy"/${shellWord(target)}/. ${shellWord(target)}/` : `cp "$copy"/${shellWord(target)} ${shellWord(target)}`;
  return [regenerate, makeParent, take].filter(Boolean).join(' && ');
}

function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
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
