// `.mlforge.yml`: how a repository was generated, and the base of its next
// `mlforge update`. This module alone writes, reads and migrates it. The hashes
// always describe the pristine render (what mlforge would write with these
// answers and these templates), never a merged result.
//
// Writing is on the `new` path, so it uses a small deterministic emitter, not
// the yaml package; reading imports yaml lazily.

import { createHash } from 'node:crypto';
import type { Answers } from '../questions/table.js';

export const PROVENANCE_FILE = '.mlforge.yml';
export const PROVENANCE_SCHEMA = 2;

export type Policy = 'merge' | 'template' | 'user' | 'union';
export const policies: readonly Policy[] = ['merge', 'template', 'user', 'union'];

/** Schema 2. The key set is fixed; `new --config .mlforge.yml` validates against it. */
export interface Provenance {
  /** The mlforge release whose templates rendered `files`. */
  version: string;
  schema: number;
  /** `sha256:` fingerprint of that release's template set (empty when unknown, as for schema 1). */
  templates: string;
  answers: Answers;
  /** Output path -> `sha256:<hex>` of the pristine render. */
  files: Record<string, string>;
  /** Paths rendered executable (mode 755). */
  executable: string[];
  /** Paths the user deleted on purpose: never re-created. */
  declined: string[];
  /** User overrides of the ownership policy: glob -> policy. */
  policy: Record<string, Policy>;
}

export interface ProvenanceInput {
  /** Files of the render, without `.mlforge.yml` itself. */
  files: ReadonlyArray<{ path: string; contents: string; mode: number }>;
  answers: Answers;
  version: string;
  templates: string;
  declined?: readonly string[];
  policy?: Readonly<Record<string, Policy>>;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function fileHash(text: string): string {
  return `sha256:${sha256(text)}`;
}

/**
 * Fingerprint of a template set: its files, partials, manifest and pinned
 * versions, each as `<path> <x|-> <sha256>` (paths relative to templates/).
 * scripts/snapshot-templates.mjs computes the same; a test keeps them equal.
 */
export function templateFingerprint(entries: ReadonlyArray<{ path: string; contents: string; executable: boolean }>): string {
  const lines = [...entries]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((entry) => `${entry.path} ${entry.executable ? 'x' : '-'} ${sha256(entry.contents)}\n`);
  return fileHash(lines.join(''));
}

export function provenanceData(input: ProvenanceInput): Provenance {
  const sorted = [...input.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    version: input.version,
    schema: PROVENANCE_SCHEMA,
    templates: input.templates,
    answers: input.answers,
    files: Object.fromEntries(sorted.map((file) => [file.path, fileHash(file.contents)])),
    executable: sorted.filter((file) => (file.mode & 0o111) !== 0).map((file) => file.path),
    declined: [...(input.declined ?? [])].sort(),
    policy: Object.fromEntries(Object.entries(input.policy ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}

export function provenanceFile(input: ProvenanceInput): { path: string; contents: string; mode: 0o644 } {
  return { path: PROVENANCE_FILE, contents: emitProvenance(provenanceData(input)), mode: 0o644 };
}

const header =
  '# Written by mlforge. `mlforge update` uses the answers and the hashes of the pristine render below\n' +
  '# to tell your edits from template changes; `mlforge doctor` reads the answers. Keep it in version control.\n';

/** Deterministic YAML: block mappings and sequences, every string quoted unless plainly safe. */
export function emitProvenance(data: Provenance): string {
  const lines = [
    `version: ${scalar(data.version)}`,
    `schema: ${data.schema}`,
    `templates: ${scalar(data.templates)}`,
    ...block('answers', Object.entries(data.answers)),
    ...block('files', Object.entries(data.files)),
    ...list('executable', data.executable),
    ...list('declined', data.declined),
    ...block('policy', Object.entries(data.policy)),
  ];
  return `${header}${lines.join('\n')}\n`;
}

function block(key: string, entries: Array<[string, unknown]>): string[] {
  if (entries.length === 0) return [`${key}: {}`];
  return [`${key}:`, ...entries.map(([name, value]) => `  ${scalar(name)}: ${scalar(value)}`)];
}

function list(key: string, items: readonly string[]): string[] {
  if (items.length === 0) return [`${key}: []`];
  return [`${key}:`, ...items.map((item) => `  - ${scalar(item)}`)];
}

// Plain only when YAML 1.2 (core schema) reads it back as this same string.
const plain = /^[A-Za-z_./][A-Za-z0-9_./:-]*$/;
const reserved = /^(true|false|null|yes|no|on|off|y|n|~|\.inf|\.nan|\.[0-9].*)$/i;

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  const text = String(value);
  if (plain.test(text) && !reserved.test(text) && !/:$/.test(text)) return text;
  // A JSON string is a valid YAML double-quoted scalar; escape the line and paragraph separators too.
  return JSON.stringify(text).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export class ProvenanceError extends Error {}

/** Parses `.mlforge.yml` text, migrating schema 1 in memory. Throws ProvenanceError naming the problem. */
export async function parseProvenance(text: string): Promise<Provenance> {
  const yaml = await import('yaml');
  // Bundled, the CommonJS build of yaml may arrive as a default export.
  const parse = yaml.parse ?? (yaml as unknown as { default: typeof yaml }).default.parse;
  let data: unknown;
  try {
    data = parse(text, { uniqueKeys: true });
  } catch (error) {
    throw new ProvenanceError(`not valid YAML: ${(error as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ProvenanceError('the top level must be a mapping');
  const raw = data as Record<string, unknown>;
  const schema = raw.schema;
  if (schema === 1) return migrateSchema1(raw);
  if (schema !== PROVENANCE_SCHEMA) {
    throw new ProvenanceError(`schema ${JSON.stringify(schema)} is not one this mlforge reads (1 or ${PROVENANCE_SCHEMA}); a newer mlforge wrote it`);
  }
  return {
    version: stringField(raw, 'version'),
    schema: PROVENANCE_SCHEMA,
    templates: raw.templates === undefined || raw.templates === null ? '' : stringField(raw, 'templates'),
    answers: mappingField(raw, 'answers') as unknown as Answers,
    files: hashes(raw),
    executable: stringList(raw, 'executable'),
    declined: stringList(raw, 'declined'),
    policy: policyField(raw),
  };
}

/** Schema 1 (mlforge 0.1.0): `mlforge` held the version; no fingerprint, modes, declined files or policies. */
function migrateSchema1(raw: Record<string, unknown>): Provenance {
  return {
    version: stringField(raw, 'mlforge'),
    schema: PROVENANCE_SCHEMA,
    templates: '',
    answers: mappingField(raw, 'answers') as unknown as Answers,
    files: hashes(raw),
    executable: [],
    declined: [],
    policy: {},
  };
}

function stringField(raw: Record<string, unknown>, key: string): string {
  const value = raw[key];
  if (typeof value !== 'string' || value.length === 0) throw new ProvenanceError(`"${key}" must be a non-empty string`);
  return value;
}

function mappingField(raw: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = raw[key];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProvenanceError(`"${key}" must be a mapping`);
  return value as Record<string, unknown>;
}

function hashes(raw: Record<string, unknown>): Record<string, string> {
  const files = mappingField(raw, 'files');
  for (const [path, hash] of Object.entries(files)) {
    if (typeof hash !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(hash)) {
      throw new ProvenanceError(`"files" entry ${JSON.stringify(path)} must be sha256:<64 hex digits>`);
    }
  }
  return files as Record<string, string>;
}

function stringList(raw: Record<string, unknown>, key: string): string[] {
  const value = raw[key] ?? [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw new ProvenanceError(`"${key}" must be a list of paths`);
  return value as string[];
}

function policyField(raw: Record<string, unknown>): Record<string, Policy> {
  const value = raw.policy ?? {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProvenanceError('"policy" must be a mapping of glob to policy');
  for (const [glob, policy] of Object.entries(value)) {
    if (!(policies as readonly unknown[]).includes(policy)) {
      throw new ProvenanceError(`"policy" entry ${JSON.stringify(glob)} is ${JSON.stringify(policy)}; it must be one of ${policies.join(', ')}`);
    }
  }
  return value as Record<string, Policy>;
}
