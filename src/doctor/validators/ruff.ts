// Ruff lint and format check of the Python sources, with the project's own
// pyproject configuration. ruff comes from the user's PATH only (never the
// repository's .venv: a cloned repository could ship any program there) and
// runs on a copy of the Python files and their configuration.

import { posix } from 'node:path';
import { outcome, skippedOutcome } from '../check-result.js';
import { withWorkCopy } from '../tools/work-copy.js';
import type { Rule, Finding } from '../types.js';

interface RuffDiagnostic {
  filename: string;
  code: string | null;
  message: string;
  location?: { row: number };
  fix?: { message?: string | null } | null;
  url?: string | null;
}

/** What ruff reads: sources, stubs, notebooks and its configuration files. */
const ruffInput = /(\.pyi?|\.ipynb|(^|\/)pyproject\.toml|(^|\/)\.?ruff\.toml)$/;

export const ruffCheck: Rule = {
  title: 'Python lint and format (ruff check, ruff format --check)',
  applies: (repo) => repo.files.some((file) => file.endsWith('.py')),
  inapplicableReason: () => 'no Python files',
  async run(repo) {
    const ruff = await repo.tools.probe('ruff');
    if (!ruff.ok) return skippedOutcome(ruff.reason);
    return withWorkCopy(repo, repo.files.filter((file) => ruffInput.test(file)), async (copy) => {
      const findings: Finding[] = [];
      const lint = await repo.tools.run('ruff', ['check', '--no-cache', '--output-format=json', '--force-exclude', '.'], { cwd: copy, timeoutMs: 60_000 });
      if (lint.exitCode !== 0 && lint.exitCode !== 1) {
        return { status: 'failed', reason: `ruff check exited ${lint.exitCode ?? 'abnormally'}: ${lint.stderr.trim().split('\n')[0] ?? ''}`, findings: [] };
      }
      for (const diagnostic of JSON.parse(lint.stdout || '[]') as RuffDiagnostic[]) {
        findings.push({
          file: relativeTo(copy, diagnostic.filename),
          ...(diagnostic.location ? { line: diagnostic.location.row } : {}),
          message: `ruff ${diagnostic.code ?? ''}: ${diagnostic.message}`.replace('  ', ' '),
          fix: diagnostic.fix?.message ?? (diagnostic.url ? `See ${diagnostic.url}` : 'Fix the code or adjust [tool.ruff] in pyproject.toml.'),
        });
      }
      const format = await repo.tools.run('ruff', ['format', '--check', '--no-cache', '--force-exclude', '.'], { cwd: copy, timeoutMs: 60_000 });
      const unformatted = unformattedFiles(`${format.stdout}\n${format.stderr}`);
      for (const [file, line] of unformatted) {
        findings.push({ file: relativeTo(copy, file), ...(line !== undefined ? { line } : {}), message: 'ruff format would reformat this file.', fix: 'Run `make format` (ruff format).' });
      }
      if (format.exitCode === 1 && unformatted.size === 0) {
        // Exit 1 means "would reformat"; an output this parser does not know must not pass silently.
        findings.push({ file: 'pyproject.toml', message: `ruff format --check found unformatted files: ${format.stdout.trim().split('\n')[0] ?? ''}`, fix: 'Run `make format` (ruff format).' });
      }
      if (format.exitCode !== 0 && format.exitCode !== 1) {
        findings.push({ file: 'pyproject.toml', message: `ruff format --check exited ${format.exitCode ?? 'abnormally'}: ${format.stderr.trim().split('\n')[0] ?? ''}`, fix: 'Fix the Python syntax or the [tool.ruff] configuration.' });
      }
      return outcome(findings, `${ruff.version} from ${ruff.path}`);
    });
  },
};

/**
 * Files `ruff format --check` would reformat, with the first line where known. Older ruff releases
 * print `Would reformat: <file>`; newer ones (0.17 here) print a diagnostic per file
 * (`unformatted: File would be reformatted` then `--> <file>:<row>:<column>`).
 */
export function unformattedFiles(output: string): Map<string, number | undefined> {
  const files = new Map<string, number | undefined>();
  let inDiagnostic = false;
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    const old = /^Would reformat: (.+)$/.exec(line);
    if (old) files.set(old[1]!, undefined);
    if (/^unformatted:/.test(line)) inDiagnostic = true;
    const located = inDiagnostic ? /^-->\s+(.+?):(\d+):\d+$/.exec(line) : null;
    if (located) {
      if (!files.has(located[1]!)) files.set(located[1]!, Number(located[2]));
      inDiagnostic = false;
    }
  }
  return files;
}

function relativeTo(root: string, file: string): string {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return posix.normalize(file.startsWith(prefix) ? file.slice(prefix.length) : file);
}
