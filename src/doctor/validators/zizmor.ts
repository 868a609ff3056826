// zizmor, the GitHub Actions security linter, offline (no audit that needs the
// network), on a copy of the workflows, composite actions, Dependabot and
// pre-commit configuration. zizmor comes from the user's PATH only and runs
// with --no-config: a checked repository cannot switch audits off with a
// zizmor.yml; the only way out is an inline `# zizmor: ignore[audit]` comment,
// visible next to the line it excuses. A file zizmor cannot read fails the run
// (--strict-collection) instead of being skipped.

import { posix } from 'node:path';
import { outcome, skippedOutcome } from '../check-result.js';
import { withWorkCopy } from '../tools/work-copy.js';
import type { Finding, Rule } from '../types.js';
import { workflowFiles } from './github-actions.js';

/** What zizmor audits in a repository directory. */
const zizmorInput = /^(\.github\/.+\.ya?ml|\.pre-commit-config\.ya?ml|\.pre-commit-hooks\.ya?ml)$/;

export const zizmorArgs = ['--offline', '--no-config', '--strict-collection', '--no-progress', '--color=never', '--format=json', '.'];

export const zizmorCheck: Rule = {
  title: 'GitHub Actions security (zizmor --offline)',
  applies: (repo) => workflowFiles(repo).length > 0,
  inapplicableReason: () => 'no .github/workflows/*.yml',
  async run(repo) {
    const zizmor = await repo.tools.probe('zizmor');
    if (!zizmor.ok) return skippedOutcome(zizmor.reason);
    return withWorkCopy(repo, repo.files.filter((file) => zizmorInput.test(file)), async (copy) => {
      const result = await repo.tools.run('zizmor', zizmorArgs, { cwd: copy, timeoutMs: 120_000 });
      const report = readZizmorReport(result.stdout, result.exitCode);
      if (!report.ok) return { status: 'failed', reason: `${report.reason}${firstError(result.stderr)}`, findings: [] };
      return outcome(report.findings, `${zizmor.version} from ${zizmor.path}`);
    });
  },
};

interface ZizmorLocation {
  symbolic?: { key?: { Local?: { verbatim_path?: unknown } }; annotation?: unknown; kind?: unknown };
  concrete?: { location?: { start_point?: { row?: unknown } } };
}

export type ZizmorReport = { ok: true; findings: Finding[] } | { ok: false; reason: string };

/**
 * Findings of `zizmor --format=json` (its v1 JSON: an array of findings, each with an audit `ident`,
 * `determinations.severity` and locations whose `concrete.location.start_point.row` is 0-based).
 * Exit 0 means no finding; 10-14 mean findings up to a severity (unknown .. high); anything else,
 * or output of another shape, is an error, never a pass.
 */
export function readZizmorReport(stdout: string, exitCode: number | null | undefined): ZizmorReport {
  if (exitCode !== 0 && !(typeof exitCode === 'number' && exitCode >= 10 && exitCode <= 14)) {
    return { ok: false, reason: `zizmor exited ${exitCode ?? 'abnormally'}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return { ok: false, reason: `zizmor printed no JSON report (exit ${exitCode}): ${stdout.trim().slice(0, 80) || 'empty output'}` };
  }
  if (!Array.isArray(parsed)) return { ok: false, reason: 'zizmor report is not a JSON array of findings' };
  const findings: Finding[] = [];
  for (const entry of parsed as Array<Record<string, unknown>>) {
    const ident = entry?.ident;
    const locations = entry?.locations;
    if (typeof ident !== 'string' || !Array.isArray(locations) || locations.length === 0) {
      return { ok: false, reason: 'zizmor report has a finding without an audit id or location' };
    }
    if (entry.ignored === true) continue;
    const located = (locations as ZizmorLocation[]).find((location) => location.symbolic?.kind === 'Primary') ?? (locations[0] as ZizmorLocation);
    const path = located.symbolic?.key?.Local?.verbatim_path;
    const row = located.concrete?.location?.start_point?.row;
    if (typeof path !== 'string' || typeof row !== 'number') return { ok: false, reason: `zizmor finding ${ident} has no local file and line` };
    const severity = (entry.determinations as { severity?: unknown } | undefined)?.severity;
    const annotation = typeof located.symbolic?.annotation === 'string' && located.symbolic.annotation ? `: ${located.symbolic.annotation}` : '';
    const url = typeof entry.url === 'string' ? entry.url : 'https://docs.zizmor.sh/audits/';
    findings.push({
      file: posix.normalize(path),
      line: row + 1,
      message: `zizmor ${ident}${typeof severity === 'string' ? ` (${severity.toLowerCase()})` : ''}: ${typeof entry.desc === 'string' ? entry.desc : ident}${annotation}`,
      fix: `See ${url}; fix it, or, if it cannot apply here, add \`# zizmor: ignore[${ident}]\` on that line with the reason.`,
    });
  }
  if (exitCode !== 0 && findings.length === 0) return { ok: false, reason: `zizmor exited ${exitCode} (findings) but its report lists none` };
  return { ok: true, findings };
}

/** zizmor's own error lines (before its backtrace), without its log lines. */
function firstError(stderr: string): string {
  const lines = stderr.split('Stack backtrace:')[0]!
    .split('\n')
    .map((text) => text.trim())
    .filter((text) => text && !/^(INFO|WARN|DEBUG|TRACE)\b/.test(text) && !/^fatal: no audit was performed$/.test(text) && text !== 'Caused by:');
  return lines.length > 0 ? `: ${lines.slice(0, 3).join(' ')}` : '';
}
