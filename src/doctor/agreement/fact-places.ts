// Resolves one place of the facts table (src/render/facts-table.ts) in a
// repository: the value found there with its line, or why the place no longer
// resolves, read through the run's shared parses; the check (facts.ts) compares values.

import type { FactPlace } from '../../render/facts-table.js';
import { readYaml, type YamlPath } from '../parse/yaml-file.js';
import type { RepoView } from '../types.js';

export type PlaceResult =
  | { kind: 'found'; values: Array<{ value: string; line?: number }> }
  | { kind: 'unresolved'; why: string; line?: number };

/** `{name}` and `{a.b}` of `template` filled from `context` (never `{value}`, never regex quantifiers like `{2}`). */
export function fill(template: string, context: object, escape: (text: string) => string = (text) => text): string {
  return template.replace(/\{([A-Za-z][\w]*(?:\.[A-Za-z][\w]*)*)\}/g, (whole, path: string) => {
    if (path === 'value') return whole;
    const value = contextValue(context, path);
    if (value === undefined) throw new Error(`templates/facts.yml: "${whole}" in "${template}" is not a value of the render context`);
    return escape(String(value));
  });
}

/** A dotted path of the render context, as text; undefined when it is not a scalar there. */
export function contextValue(context: object, path: string): string | undefined {
  let node: unknown = context;
  for (const key of path.split('.')) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  return ['string', 'number', 'boolean'].includes(typeof node) ? String(node) : undefined;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A YAML file with many places is parsed once per run (readYaml), not once per place. */
export async function resolvePlace(repo: RepoView, place: FactPlace, file: string, context: object): Promise<PlaceResult> {
  return place.yaml !== undefined ? resolveYaml(repo, place, file, context) : resolveText(place, await repo.read(file), context);
}

function resolveText(place: FactPlace, text: string, context: object): PlaceResult {
  const pattern = fill(place.text!, context, escapeRegExp).replaceAll('{value}', '(\\S+?)');
  const values: Array<{ value: string; line: number }> = [];
  for (const match of text.matchAll(new RegExp(pattern, 'gm'))) {
    const line = text.slice(0, match.index).split('\n').length;
    for (const value of match.slice(1)) if (value !== undefined) values.push({ value, line });
  }
  return values.length > 0 ? { kind: 'found', values } : { kind: 'unresolved', why: `no line matches /${place.text}/` };
}

type Segment = { key: string } | { index: number } | { match: [string, string] };

function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  for (const part of path.match(/[^.[\]]+|\[[^\]]*\]/g) ?? []) {
    if (!part.startsWith('[')) segments.push({ key: part });
    else if (/^\[\d+\]$/.test(part)) segments.push({ index: Number(part.slice(1, -1)) });
    else {
      const [key, value] = part.slice(1, -1).split('=');
      if (!key || value === undefined) throw new Error(`templates/facts.yml: "${part}" in "${path}" is neither [index] nor [key=value]`);
      segments.push({ match: [key, value] });
    }
  }
  return segments;
}

async function resolveYaml(repo: RepoView, place: FactPlace, file: string, context: object): Promise<PlaceResult> {
  const parsed = await readYaml(repo, file);
  if (parsed.errors.length > 0) return { kind: 'unresolved', why: 'the file does not parse as YAML', line: parsed.errors[0]!.line };
  const name = place.doc?.name === undefined ? undefined : fill(place.doc.name, context);
  const doc = parsed.docs.find((candidate) => {
    const data = candidate.data as { kind?: unknown; metadata?: { name?: unknown } } | null;
    return (name === undefined || data?.metadata?.name === name) && (place.doc?.kind === undefined || place.doc.kind.includes(String(data?.kind)));
  });
  if (!doc) return { kind: 'unresolved', why: `no YAML document${place.doc?.kind ? ` of kind ${place.doc.kind.join(' or ')}` : ''}${name ? ` named "${name}"` : ''}` };
  let node: unknown = doc.data;
  const path: Array<string | number> = [];
  const segments = parsePath(fill(place.yaml!, context));
  for (const segment of segments) {
    if ('key' in segment) {
      node = node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[segment.key] : undefined;
      path.push(segment.key);
    } else {
      const list = Array.isArray(node) ? node : [];
      const index = 'index' in segment ? segment.index : list.findIndex((item) => String((item as Record<string, unknown> | null)?.[segment.match[0]]) === segment.match[1]);
      node = index >= 0 ? list[index] : undefined;
      path.push(index);
    }
    if (node === undefined) return { kind: 'unresolved', why: `${place.yaml} is not there`, line: doc.lineOf(path.slice(0, -1) as YamlPath) };
  }
  const line = doc.lineOf(path);
  if (!['string', 'number', 'boolean'].includes(typeof node)) return { kind: 'unresolved', why: `${place.yaml} is not a single value`, line };
  const scalar = String(node);
  if (place.format === undefined) return { kind: 'found', values: [{ value: scalar, line }] };
  const form = new RegExp(`^${escapeRegExp(fill(place.format, context)).replaceAll(escapeRegExp('{value}'), '(.+?)')}$`);
  const match = form.exec(scalar);
  if (!match) return { kind: 'unresolved', why: `${place.yaml} is "${scalar}", not of the form "${place.format}"`, line };
  return { kind: 'found', values: match.slice(1).map((value) => ({ value: value!, line })) };
}
