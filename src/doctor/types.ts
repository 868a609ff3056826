// Shared shapes of `mlforge doctor` checks. Every validator and cross-file
// check returns a CheckResult; mlforge's own tests call the same functions.

import type { Answers } from '../questions/table.js';

export interface Finding {
  /** Path relative to the repository root. */
  file: string;
  line?: number;
  message: string;
  /** How to fix it, in one sentence. */
  fix?: string;
}

export type CheckStatus = 'passed' | 'failed' | 'skipped';

export interface CheckResult {
  id: string;
  title: string;
  group: 'agreement' | 'validator' | 'practice';
  status: CheckStatus;
  /** Why it was skipped (for example "terraform not available"), or a note on what ran. */
  reason?: string;
  findings: Finding[];
  /** Wall time of the check, set by the runner. */
  durationMs?: number;
}

/** A generated repository on disk, as doctor and tests see it. */
export interface RepoView {
  root: string;
  /** Answers from .mlforge.yml. */
  answers: Answers;
  /** Every file path (relative, forward slashes), excluding .git and ignored build output. */
  files: string[];
  read(path: string): Promise<string>;
  exists(path: string): boolean;
}

export interface Check {
  id: string;
  title: string;
  group: CheckResult['group'];
  /** Whether the check applies to this repository (for example only with --ci github). */
  applies(repo: RepoView): boolean;
  /** Why it does not apply, reported with status `skipped` when applies() is false. */
  inapplicableReason?(repo: RepoView): string;
  run(repo: RepoView): Promise<Omit<CheckResult, 'id' | 'title' | 'group'>>;
}
