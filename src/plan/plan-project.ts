// Pure planning: answers + templates -> every output file with its contents
// and mode, in memory. Nothing here touches the target directory.

import { deriveContext, type RenderContext } from '../derive.js';
import type { Answers } from '../questions/table.js';
import { fileSelector } from '../render/manifest.js';
import type { TemplateSet } from '../render/template-set.js';
import { outputPath } from './output-path.js';
import { provenanceFile, PROVENANCE_FILE } from './provenance.js';
import { renderTree } from './render-tree.js';

export interface PlannedFile {
  path: string;
  contents: string;
  mode: 0o644 | 0o755;
  /** The template it came from (path under templates/files); absent for `.mlforge.yml`. `update` pairs files by it. */
  template?: string;
}

export interface Plan {
  answers: Answers;
  mlforgeVersion: string;
  /** Sorted by path; the provenance file is included. */
  files: PlannedFile[];
}

/** A template set may pin derived values (a shipped snapshot of an earlier release pins that release's constants). */
export type PlanTemplates = TemplateSet & { fingerprint?: string; pinnedContext?: Record<string, unknown> };

/** The values every template of a plan reads (doctor re-derives a repository's with the same function). */
export function planContext(answers: Answers, templates: PlanTemplates, mlforgeVersion: string): RenderContext {
  return { ...deriveContext(answers, templates.versions, mlforgeVersion), ...templates.pinnedContext };
}

/** The templates these answers select, each with the path it renders to. */
export function selectedTemplates(answers: Answers, templates: PlanTemplates, packageName: string) {
  const selects = fileSelector(templates.rules, answers);
  return templates.files.filter((file) => selects(file.path)).map((file) => ({ ...file, output: outputPath(file.path, packageName) }));
}

export function planProject(answers: Answers, templates: PlanTemplates, mlforgeVersion: string): Plan {
  const derived = planContext(answers, templates, mlforgeVersion);
  const selected = selectedTemplates(answers, templates, derived.packageName);
  const context = { ...derived, fileTree: renderTree([...selected.map((file) => file.output), PROVENANCE_FILE]) };
  const files: PlannedFile[] = selected.map((file) => ({
    path: file.output,
    contents: normalise(templates.compile(file)(context)),
    mode: file.executable ? 0o755 : 0o644,
    template: file.path,
  }));
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.path) || file.path === PROVENANCE_FILE) throw new Error(`two templates write ${file.path}`);
    seen.add(file.path);
  }
  files.push(provenanceFile({ files, answers, version: mlforgeVersion, templates: templates.fingerprint ?? '' }));
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { answers, mlforgeVersion, files };
}

/** LF endings, no trailing blank lines, exactly one final newline (empty files stay empty). */
function normalise(text: string): string {
  // No regular expressions: /\n+$/ tries every position of the whole text (a megabyte per `new`).
  const lf = text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text;
  let end = lf.length;
  while (end > 0 && lf.charCodeAt(end - 1) === 10) end--;
  return end === 0 ? '' : `${lf.slice(0, end)}\n`;
}
