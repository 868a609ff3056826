// hadolint on every Dockerfile of the repository (Dockerfile, Dockerfile.*,
// *.Dockerfile, Containerfile), with the shell of RUN lines checked by its
// built-in ShellCheck. hadolint comes from the user's PATH only and runs on a
// copy with doctor's own configuration (nothing ignored, every level down to
// style reported): neither a .hadolint.yaml in the repository nor one in the
// user's home switches rules off; an inline `# hadolint ignore=DLxxxx` line,
// visible above the instruction it excuses, is the only way out.

import { posix } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { outcome, skippedOutcome } from '../check-result.js';
import { withWorkCopy } from '../tools/work-copy.js';
import type { Finding, RepoView, Rule } from '../types.js';

/** The repository's Dockerfiles (not Dockerfile.dockerignore files). */
export function dockerfiles(repo: RepoView): string[] {
  return repo.files.filter((file) => {
    const name = posix.basename(file);
    if (name.endsWith('.dockerignore')) return false;
    return /^(Dockerfile|Containerfile)(\.[\w.-]+)?$/.test(name) || /\.(Dockerfile|Containerfile)$/.test(name);
  });
}

/** doctor's hadolint configuration, in place of any the repository or the user has. */
const configName = '.mlforge-doctor-hadolint.yaml';
const config = 'ignored: []\n';

export const hadolintCheck: Rule = {
  title: 'Dockerfile best practices (hadolint)',
  applies: (repo) => dockerfiles(repo).length > 0,
  inapplicableReason: () => 'no Dockerfile',
  async run(repo) {
    const hadolint = await repo.tools.probe('hadolint');
    if (!hadolint.ok) return skippedOutcome(hadolint.reason);
    const files = dockerfiles(repo);
    return withWorkCopy(repo, files, async (copy) => {
      await writeFile(join(copy, configName), config, { flag: 'wx', mode: 0o600 });
      const args = ['--config', configName, '--no-color', '--failure-threshold', 'style', '--format', 'json', ...files];
      const result = await repo.tools.run('hadolint', args, { cwd: copy, timeoutMs: 60_000 });
      const report = readHadolintReport(result.stdout, result.exitCode);
      if (!report.ok) return { status: 'failed', reason: `${report.reason}${firstLine(result.stderr)}`, findings: [] };
      return outcome(report.findings, `${hadolint.version} from ${hadolint.path}`);
    });
  },
};

export type HadolintReport = { ok: true; findings: Finding[] } | { ok: false; reason: string };

/**
 * Findings of `hadolint --format json --failure-threshold style`: an array of
 * {code, level, file, line, column, message}. Exit 0 means none, 1 means some; any other exit, a
 * non-JSON output (hadolint prints its own errors as a quoted string or on stderr) or exit 1 with
 * no finding is an error, never a pass.
 */
export function readHadolintReport(stdout: string, exitCode: number | null | undefined): HadolintReport {
  if (exitCode !== 0 && exitCode !== 1) return { ok: false, reason: `hadolint exited ${exitCode ?? 'abnormally'}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return { ok: false, reason: `hadolint printed no JSON report (exit ${exitCode}): ${stdout.trim().slice(0, 80) || 'empty output'}` };
  }
  if (!Array.isArray(parsed)) return { ok: false, reason: `hadolint did not report findings: ${String(parsed).trim().split('\n')[0]?.slice(0, 120) ?? ''}` };
  const findings: Finding[] = [];
  for (const entry of parsed as Array<Record<string, unknown>>) {
    const { code, file, line, message, level } = entry ?? {};
    if (typeof code !== 'string' || typeof file !== 'string' || typeof line !== 'number' || typeof message !== 'string') {
      return { ok: false, reason: 'hadolint report has a finding without code, file, line or message' };
    }
    findings.push({
      file: posix.normalize(file),
      line,
      message: `hadolint ${code}${typeof level === 'string' ? ` (${level})` : ''}: ${message}`,
      fix: `See ${code.startsWith('SC') ? `https://www.shellcheck.net/wiki/${code}` : `https://github.com/hadolint/hadolint/wiki/${code}`}; fix it, or, if it cannot apply here, add \`# hadolint ignore=${code}\` above the instruction with the reason.`,
    });
  }
  if (exitCode === 1 && findings.length === 0) return { ok: false, reason: 'hadolint exited 1 (findings) but its report lists none' };
  return { ok: true, findings };
}

function firstLine(stderr: string): string {
  const line = stderr.trim().split('\n')[0]?.trim();
  return line ? `: ${line}` : '';
}
