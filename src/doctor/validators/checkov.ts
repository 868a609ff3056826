// checkov, the infrastructure-as-code security scanner, on a copy of the
// Terraform, the Dockerfiles, the CI configuration and the Kubernetes objects
// as `kubectl kustomize` builds each overlay (the source files alone are
// partial: the namespace, the image and the patches come from the overlays).
// checkov comes from the user's PATH only and runs with no configuration of
// the repository or the user (an empty HOME, nothing but the copied files in
// its directory), no download and no external checks; the only way out of a
// finding is an inline skip with a reason, visible where it applies: a
// `#checkov:skip=ID:reason` line inside the Terraform resource, a
// `checkov.io/skip1: ID=reason` annotation on the Kubernetes object, a
// `# checkov:skip=ID: reason` comment in a workflow or Dockerfile. A skip
// without a reason is a finding too.

import { mkdir, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { stringify } from 'yaml';
import { outcome, plural, skippedOutcome } from '../check-result.js';
import { withWorkCopy } from '../tools/work-copy.js';
import type { Finding, RepoView, Rule } from '../types.js';
import { dockerfiles } from './hadolint.js';
import { buildOverlays, kubectlProbe, locate, type BuiltObject } from './kubernetes-build.js';

export const checkovFrameworks = ['terraform', 'kubernetes', 'dockerfile', 'github_actions', 'gitlab_ci'] as const;

/** Folder of the copy that holds the built overlays (the copied files all live under infra/, .github/ or the root). */
const builtDir = 'mlforge-built';

/** What checkov reads of the repository itself. */
function scannedFiles(repo: RepoView): string[] {
  const dockerfileSet = new Set(dockerfiles(repo));
  return repo.files.filter(
    (file) =>
      (file.startsWith('infra/') && file.endsWith('.tf')) ||
      /^\.github\/(workflows\/[^/]+\.ya?ml|actions\/.+\/action\.ya?ml)$/.test(file) ||
      file === '.gitlab-ci.yml' ||
      dockerfileSet.has(file),
  );
}

export const checkovArgs = ['--directory', '.', '--framework', ...checkovFrameworks, '--output', 'json', '--compact', '--skip-download', '--download-external-modules', 'false'];

export const checkovCheck: Rule = {
  title: 'Infrastructure security (checkov: Terraform, Kubernetes overlays, Dockerfile, CI)',
  applies: (repo) => scannedFiles(repo).length > 0 || repo.exists('deploy/k8s'),
  inapplicableReason: () => 'no Terraform, Dockerfile, CI configuration or Kubernetes overlay',
  async run(repo) {
    const checkov = await repo.tools.probe('checkov');
    if (!checkov.ok) return skippedOutcome(checkov.reason);
    const built = await builtOverlays(repo);
    return withWorkCopy(repo, scannedFiles(repo), async (copy) => {
      for (const [name, { objects }] of built.files) {
        await mkdir(join(copy, builtDir), { recursive: true });
        await writeFile(join(copy, builtDir, name), objects.map((object) => stringify(object)).join('---\n'), { flag: 'wx', mode: 0o600 });
      }
      const home = join(copy, '.mlforge-home');
      await mkdir(home, { mode: 0o700 });
      const result = await repo.tools.run('checkov', checkovArgs, { cwd: copy, timeoutMs: 300_000, env: { HOME: home, BC_API_KEY: '', PRISMA_API_URL: '' } });
      const report = readCheckovReport(result.stdout, result.exitCode);
      if (!report.ok) return { status: 'failed', reason: `${report.reason}${firstLine(result.stderr)}`, findings: [] };
      const findings = await placeFindings(repo, report.entries, built.overlayOf);
      const counts = `${plural(report.passed, 'check')} passed, ${report.skipped} skipped with a reason`;
      const notes = [`${checkov.version} from ${checkov.path}`, counts, ...built.notes, ...unscannedNote(repo, report.scanned)].join('; ');
      return findings.length > 0 ? { status: 'failed', reason: notes, findings } : outcome([], notes);
    });
  },
};

/**
 * CI files checkov read but ran no check on. checkov drops a workflow its bundled schema rejects
 * without a word (3.3: an expression in `cancel-in-progress`, which GitHub accepts); say so, since
 * actionlint and zizmor still check those files.
 */
function unscannedNote(repo: RepoView, scanned: ReadonlySet<string>): string[] {
  const missed = scannedFiles(repo).filter((file) => /^\.github\/workflows\//.test(file) && !scanned.has(file));
  return missed.length > 0 ? [`checkov's workflow schema rejected ${missed.join(', ')}, so no checkov check ran on ${missed.length === 1 ? 'it' : 'them'} (actionlint and zizmor did)`] : [];
}

interface BuiltOverlays {
  files: Map<string, { objects: BuiltObject[] }>;
  /** Built file name → the overlay it came from. */
  overlayOf: Map<string, string>;
  notes: string[];
}

async function builtOverlays(repo: RepoView): Promise<BuiltOverlays> {
  const result: BuiltOverlays = { files: new Map(), overlayOf: new Map(), notes: [] };
  if (!repo.exists('deploy/k8s')) return result;
  const kubectl = await kubectlProbe(repo);
  if (!kubectl.ok) {
    result.notes.push(`Kubernetes objects not scanned: ${kubectl.reason}`);
    return result;
  }
  for (const build of await buildOverlays(repo)) {
    if (!build.ok) {
      result.notes.push(`${build.overlay} not scanned: it does not build (validator.kubernetes-kustomize-build)`);
      continue;
    }
    const name = `${posix.basename(build.overlay)}.yaml`;
    result.files.set(name, { objects: build.objects });
    result.overlayOf.set(`${builtDir}/${name}`, build.overlay);
  }
  return result;
}

export interface CheckovEntry {
  framework: string;
  id: string;
  name: string;
  file: string;
  line?: number;
  resource: string;
  /** Set on a skip whose inline comment gives no reason. */
  unexplainedSkip?: boolean;
}

export type CheckovReport =
  | { ok: true; entries: CheckovEntry[]; passed: number; skipped: number; /** Files some check ran on (repository-relative). */ scanned: Set<string> }
  | { ok: false; reason: string };

/**
 * Findings of `checkov --output json`: one report object per framework that found files (an array
 * when there are several), each with `check_type`, `results.failed_checks`/`skipped_checks` and a
 * `summary`; with no file at all, just a summary. Exit 0 means no failed check and 1 some; any other
 * exit, output of another shape, a parsing error or exit 1 with no failed check is an error, never a pass.
 */
export function readCheckovReport(stdout: string, exitCode: number | null | undefined): CheckovReport {
  if (exitCode !== 0 && exitCode !== 1) return { ok: false, reason: `checkov exited ${exitCode ?? 'abnormally'}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return { ok: false, reason: `checkov printed no JSON report (exit ${exitCode}): ${stdout.trim().slice(0, 80) || 'empty output'}` };
  }
  const reports = (Array.isArray(parsed) ? parsed : [parsed]) as Array<Record<string, unknown> | null>;
  const entries: CheckovEntry[] = [];
  let passed = 0;
  let skipped = 0;
  let failed = 0;
  const scanned = new Set<string>();
  for (const report of reports) {
    if (!report || typeof report !== 'object') return { ok: false, reason: 'checkov report is not a JSON object' };
    if (report.check_type === undefined && typeof report.passed === 'number' && typeof report.failed === 'number') continue;
    const framework = report.check_type;
    const results = report.results as Record<string, unknown> | undefined;
    const summary = report.summary as Record<string, unknown> | undefined;
    if (typeof framework !== 'string' || !results || !summary || !Array.isArray(results.failed_checks) || !Array.isArray(results.skipped_checks)) {
      return { ok: false, reason: 'checkov report has a framework without results or summary' };
    }
    if (typeof summary.parsing_errors === 'number' && summary.parsing_errors > 0) {
      const files = Array.isArray(results.parsing_errors) ? results.parsing_errors.map(String).join(', ') : '';
      return { ok: false, reason: `checkov could not parse ${plural(summary.parsing_errors, `${framework} file`)}${files ? ` (${files})` : ''}` };
    }
    passed += typeof summary.passed === 'number' ? summary.passed : 0;
    for (const check of Array.isArray(results.passed_checks) ? (results.passed_checks as Array<Record<string, unknown>>) : []) {
      if (typeof check?.file_path === 'string') scanned.add(posix.normalize(check.file_path.replace(/^\/+/, '')));
    }
    for (const [list, isSkip] of [[results.failed_checks, false], [results.skipped_checks, true]] as const) {
      for (const check of list as Array<Record<string, unknown>>) {
        const entry = readEntry(framework, check);
        if (!entry) return { ok: false, reason: `checkov ${framework} report has a check without id, file or resource` };
        scanned.add(entry.file);
        if (!isSkip) {
          failed++;
          entries.push(entry);
          continue;
        }
        skipped++;
        const comment = (check.check_result as { suppress_comment?: unknown } | undefined)?.suppress_comment;
        // checkov records the reason of Terraform and Kubernetes skips; workflows and Dockerfiles give none to read.
        if (comment === 'No comment provided' || (typeof comment === 'string' && comment.trim() === '')) entries.push({ ...entry, unexplainedSkip: true });
      }
    }
  }
  if (exitCode === 1 && failed === 0) return { ok: false, reason: 'checkov exited 1 (failed checks) but its report lists none' };
  if (exitCode === 0 && failed > 0) return { ok: false, reason: 'checkov exited 0 but its report lists failed checks' };
  return { ok: true, entries, passed, skipped, scanned };
}

function readEntry(framework: string, check: Record<string, unknown>): CheckovEntry | undefined {
  const { check_id: id, check_name: name, file_path: file, resource, file_line_range: range } = check;
  if (typeof id !== 'string' || typeof file !== 'string' || typeof resource !== 'string') return undefined;
  const line = Array.isArray(range) && typeof range[0] === 'number' ? range[0] : undefined;
  return { framework, id, name: typeof name === 'string' ? name.trim() : id, file: posix.normalize(file.replace(/^\/+/, '')), resource, ...(line === undefined ? {} : { line }) };
}

const index = 'https://www.checkov.io/5.Policy%20Index/all.html';

/** Findings at the repository's own files: a built object's at the file that defines it, once for all overlays. */
async function placeFindings(repo: RepoView, entries: readonly CheckovEntry[], overlayOf: ReadonlyMap<string, string>): Promise<Finding[]> {
  const placed = new Map<string, Finding & { overlays: string[] }>();
  for (const entry of entries) {
    const overlay = overlayOf.get(entry.file);
    let file = entry.file;
    let line = entry.line;
    if (overlay) {
      const [kind, ...rest] = entry.resource.split('.');
      const object = { kind, metadata: { name: rest.length > 1 ? rest.slice(1).join('.') : rest.join('.') } } as BuiltObject;
      ({ file, line } = await locate(repo, overlay, object));
    }
    const key = `${entry.id}|${entry.resource}|${file}|${entry.unexplainedSkip ? 'skip' : 'fail'}`;
    const existing = placed.get(key);
    if (existing) {
      if (overlay) existing.overlays.push(overlay);
      continue;
    }
    const message = entry.unexplainedSkip
      ? `checkov ${entry.id} is skipped without a reason (${entry.resource})`
      : `checkov ${entry.id}: ${entry.name} (${entry.resource})`;
    placed.set(key, { file, ...(line === undefined ? {} : { line }), message, fix: fixFor(entry), overlays: overlay ? [overlay] : [] });
  }
  return [...placed.values()].map(({ overlays, ...finding }) =>
    overlays.length > 0 ? { ...finding, message: `${finding.message}, built from ${overlays.join(' and ')}` } : finding,
  );
}

function fixFor(entry: CheckovEntry): string {
  const skip =
    entry.framework === 'terraform'
      ? `\`#checkov:skip=${entry.id}:<reason>\` inside the resource block`
      : entry.framework === 'kubernetes'
        ? `the annotation \`checkov.io/skip1: ${entry.id}=<reason>\` on the object`
        : `\`# checkov:skip=${entry.id}: <reason>\` on the line above`;
  return entry.unexplainedSkip
    ? `Say why after the id: ${skip}.`
    : `See ${entry.id} in ${index}; fix it, or, if it cannot apply here, add ${skip}.`;
}

function firstLine(stderr: string): string {
  const line = stderr
    .trim()
    .split('\n')
    .map((text) => text.trim())
    .find((text) => text && !/^(INFO|WARNING|DEBUG)\b/.test(text));
  return line ? `: ${line.slice(0, 200)}` : '';
}
