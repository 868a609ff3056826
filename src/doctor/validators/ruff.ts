// Ruff lint and format check of the Python sources, with the project's own
// pyproject configuration. Uses the repository's .venv/bin/ruff (what
// `make install` puts there) or a ruff on PATH; --no-cache keeps it read-only.

import { execa } from 'execa';
import { join } from 'node:path';
import { outcome, skippedOutcome } from '../check-result.js';
import type { Check, Finding, RepoView } from '../types.js';

interface RuffDiagnostic {
  filename: string;
  code: string | null;
  message: string;
  location?: { row: number };
  fix?: { message?: string | null } | null;
  url?: string | null;
}

export const ruffCheck: Check = {
  id: 'validator.ruff',
  title: 'Python lint and format (ruff check, ruff format --check)',
  group: 'validator',
  applies: (repo) => repo.files.some((file) => file.endsWith('.py')),
  inapplicableReason: () => 'no Python files',
  async run(repo) {
    const ruff = await findRuff(repo);
    if (!ruff) return skippedOutcome('ruff not available (no .venv/bin/ruff and none on PATH; run `make install`)');
    const findings: Finding[] = [];
    const lint = await execa(ruff.path, ['check', '--no-cache', '--output-format=json', '--force-exclude', '.'], { cwd: repo.root, reject: false, timeout: 60_000, stdin: 'ignore' });
    if (lint.exitCode !== 0 && lint.exitCode !== 1) {
      return { status: 'failed', reason: `ruff check exited ${lint.exitCode ?? 'abnormally'}: ${String(lint.stderr).trim().split('\n')[0] ?? ''}`, findings: [] };
    }
    for (const diagnostic of JSON.parse(String(lint.stdout) || '[]') as RuffDiagnostic[]) {
      findings.push({
        file: relativeTo(repo.root, diagnostic.filename),
        ...(diagnostic.location ? { line: diagnostic.location.row } : {}),
        message: `ruff ${diagnostic.code ?? ''}: ${diagnostic.message}`.replace('  ', ' '),
        fix: diagnostic.fix?.message ?? (diagnostic.url ? `See ${diagnostic.url}` : 'Fix the code or adjust [tool.ruff] in pyproject.toml.'),
      });
    }
    const format = await execa(ruff.path, ['format', '--check', '--no-cache', '--force-exclude', '.'], { cwd: repo.root, reject: false, timeout: 60_000, stdin: 'ignore' });
    for (const line of `${String(format.stdout)}\n${String(format.stderr)}`.split('\n')) {
      const match = /^Would reformat: (.+)$/.exec(line.trim());
      if (match) findings.push({ file: relativeTo(repo.root, match[1]!), message: 'ruff format would reformat this file.', fix: 'Run `make format` (ruff format).' });
    }
    if (format.exitCode !== 0 && format.exitCode !== 1) {
      findings.push({ file: 'pyproject.toml', message: `ruff format --check exited ${format.exitCode ?? 'abnormally'}: ${String(format.stderr).trim().split('\n')[0] ?? ''}`, fix: 'Fix the Python syntax or the [tool.ruff] configuration.' });
    }
    return outcome(findings, `${ruff.path === 'ruff' ? 'ruff on PATH' : '.venv/bin/ruff'} ${ruff.version}`);
  },
};

async function findRuff(repo: RepoView): Promise<{ path: string; version: string } | undefined> {
  for (const candidate of [join(repo.root, '.venv', 'bin', 'ruff'), 'ruff']) {
    const result = await execa(candidate, ['--version'], { reject: false, timeout: 10_000, stdin: 'ignore' }).catch(() => undefined);
    if (result && result.exitCode === 0) return { path: candidate, version: String(result.stdout).trim().replace(/^ruff\s+/, '') };
  }
  return undefined;
}

function relativeTo(root: string, file: string): string {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return file.startsWith(prefix) ? file.slice(prefix.length) : file;
}
