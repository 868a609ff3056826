// Runs the registered checks on a repository concurrently and returns their
// results in registry order. External tools are throttled to the CPU count
// by the repository's tool runner, so checks need no limit of their own. The
// same function serves `mlforge doctor` and mlforge's own tests.

import { allChecks, registered } from './checks.js';
import { OptionalModuleMissing } from './tools/optional-module.js';
import type { CheckResult, RegisteredCheck, RepoView, Rule } from './types.js';

export interface DoctorOptions {
  /** Checks to run (default: every registered check). */
  checks?: readonly RegisteredCheck[];
  /** How many checks run at once (default: all; tool processes are limited to the CPU count anyway). */
  concurrency?: number;
  /** A check still running after this is reported failed (default 600 s: terraform init may download providers). */
  timeoutMs?: number;
  /** Called as each check finishes, in completion order. */
  onResult?: (result: CheckResult) => void;
}

export async function runDoctor(repo: RepoView, options: DoctorOptions = {}): Promise<CheckResult[]> {
  const checks = options.checks ?? allChecks;
  const results = new Array<CheckResult>(checks.length);
  // Validators run external tools and take longest: they start first and get the first tool slots.
  const order = checks.map((check, index) => ({ check, index })).sort((a, b) => rank(a.check) - rank(b.check));
  let next = 0;
  const worker = async () => {
    while (next < order.length) {
      const { check, index } = order[next++]!;
      const result = await runCheck(check, repo, options.timeoutMs ?? 600_000);
      results[index] = result;
      options.onResult?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? order.length, order.length)) }, worker));
  return results;
}

/** 1 when any check failed, else 0 (skipped checks do not fail a run). */
export function doctorExitCode(results: readonly CheckResult[]): 0 | 1 {
  return results.some((result) => result.status === 'failed') ? 1 : 0;
}

function rank(check: RegisteredCheck): number {
  if (check.id === 'validator.terraform-validate') return 0;
  return check.group === 'validator' ? 1 : 2;
}

/** Runs one check (a rule imported from its module is looked up in the registry for its id and group). */
export async function runCheck(rule: Rule, repo: RepoView, timeoutMs: number): Promise<CheckResult> {
  const check = registered(rule);
  const head = { id: check.id, title: check.title, group: check.group };
  const started = performance.now();
  const done = (body: Omit<CheckResult, 'id' | 'title' | 'group'>): CheckResult => ({
    ...head,
    ...body,
    durationMs: Math.round(performance.now() - started),
  });
  if (!check.applies(repo)) {
    return done({ status: 'skipped', reason: check.inapplicableReason?.(repo) ?? defaultInapplicableReason(repo), findings: [] });
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not finish within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    });
    return done(await Promise.race([check.run(repo), timeout]));
  } catch (error) {
    if (error instanceof OptionalModuleMissing) return done({ status: 'skipped', reason: error.reason, findings: [] });
    // A check that cannot complete is a failure the user must see, never a pass.
    return done({
      status: 'failed',
      reason: `the check could not complete: ${(error as Error).message ?? String(error)}`,
      findings: [],
    });
  } finally {
    clearTimeout(timer);
  }
}

function defaultInapplicableReason(repo: RepoView): string {
  const { cloud, ci, serving, rollout } = repo.answers;
  return `does not apply to this repository (cloud ${cloud}, CI ${ci}, serving ${serving}, rollout ${rollout})`;
}
