// Shared shapes of `mlforge doctor` checks. Every validator and cross-file
// check returns a CheckResult; mlforge's own tests call the same functions.

import type { Answers } from '../questions/table.js';
import type { ExpectedPlan } from './expected-plan.js';
import type { ToolRunner } from './tools/tool-runner.js';

export interface Finding {
  /** Path relative to the repository root. */
  file: string;
  line?: number;
  message: string;
  /** How to fix it, in one sentence. */
  fix?: string;
}

/** Report order: the repository's files themselves first, then agreement, validators, practices. */
export const checkGroups = ['repository', 'agreement', 'validator', 'practice'] as const;
export type CheckGroup = (typeof checkGroups)[number];

/** A path doctor did not read, and why (reported by the repository checks). */
export interface FileProblem {
  path: string;
  kind: 'symlink-outside' | 'symlink' | 'not-regular' | 'too-large';
  /** Where a symbolic link points. */
  target?: string;
  message: string;
}

export type CheckStatus = 'passed' | 'failed' | 'skipped';

export interface CheckResult {
  id: string;
  title: string;
  group: CheckGroup;
  status: CheckStatus;
  /** Why it was skipped (for example "terraform not available"), or a note on what ran. */
  reason?: string;
  findings: Finding[];
  /** Wall time of the check, set by the runner. */
  durationMs?: number;
}

/** What .mlforge.yml records: the answers, the release and template set that rendered them, the files the user declined. */
export interface Recorded {
  answers: Answers;
  /** The mlforge release that generated (or last updated) the repository; empty when not recorded. */
  version: string;
  /** `sha256:` fingerprint of its template set; empty when not recorded. */
  templates: string;
  declined: string[];
}

/** A generated repository on disk, as doctor and tests see it. */
export interface RepoView {
  root: string;
  /** Answers from .mlforge.yml. */
  answers: Answers;
  recorded: Recorded;
  /** The generator's plan for the recorded answers (expected-plan.ts), derived once on first use. */
  expected(): Promise<ExpectedPlan>;
  /** Every regular file (relative, forward slashes), excluding .git and ignored build output. */
  files: string[];
  /** Symbolic links, FIFOs, devices and oversized files found instead of regular files. */
  problems: FileProblem[];
  /** A file of `files`, read safely (rejects anything else). */
  read(path: string): Promise<string>;
  readBytes(path: string): Promise<Buffer>;
  /** Whether `path` is one of `files`, or a directory that holds some of them. */
  exists(path: string): boolean;
  /** External tools, resolved outside the repository and run on copies. */
  tools: ToolRunner;
}

/** What a check does; its id and group are given by the registry (checks.ts) alone. */
export interface Rule {
  /** Set only on registered checks (RegisteredCheck); rule modules never set it. */
  readonly id?: string;
  readonly group?: CheckGroup;
  title: string;
  /** Whether the check applies to this repository (for example only with --ci github). */
  applies(repo: RepoView): boolean;
  /** Why it does not apply, reported with status `skipped` when applies() is false. */
  inapplicableReason?(repo: RepoView): string;
  run(repo: RepoView): Promise<Omit<CheckResult, 'id' | 'title' | 'group'>>;
}

/** A registered rule: id `<group>.<name>`. */
export interface RegisteredCheck extends Rule {
  readonly id: string;
  readonly group: CheckGroup;
}

/** Any check as tests pass it around: a rule, registered or not. */
export type Check = Rule;
