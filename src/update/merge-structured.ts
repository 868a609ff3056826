// Structure-aware merge for YAML and JSON, used where a line merge conflicts:
// the template's changes to keys you did not touch are applied to YOUR
// document (the yaml Document API keeps your comments and layout). Used only
// when your file round-trips byte for byte, so nothing but those keys moves.

import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments, type Document } from 'yaml';

const yamlOptions = { lineWidth: 0, flowCollectionPadding: false } as const;

/** The merged text, or undefined when the structures conflict or a file does not round-trip. */
export function mergeStructured(ours: string, base: string, theirs: string, path: string): string | undefined {
  if (/\.json$/i.test(path)) return mergeJson(ours, base, theirs);
  if (/\.ya?ml$/i.test(path)) return mergeYaml(ours, base, theirs);
  return undefined;
}

function mergeYaml(ours: string, base: string, theirs: string): string | undefined {
  const [o, b, t] = [ours, base, theirs].map((text) => parseAllDocuments(text));
  const all = [o, b, t];
  if (all.some((docs) => !Array.isArray(docs) || docs.some((doc) => doc.errors.length > 0))) return undefined;
  const [oDocs, bDocs, tDocs] = all as Document.Parsed[][];
  if (oDocs!.length !== bDocs!.length || oDocs!.length !== tDocs!.length) return undefined;
  if (print(oDocs!) !== ours) return undefined;
  for (const [index, doc] of oDocs!.entries()) {
    const setter = (path: unknown[], value: unknown) =>
      value === undefined ? doc.deleteIn(path) : doc.setIn(path, doc.createNode(value));
    if (!mergeValue([], doc.toJS(), bDocs![index]!.toJS(), tDocs![index]!.toJS(), setter)) return undefined;
  }
  return print(oDocs!);
}

function print(docs: Document.Parsed[]): string {
  return docs.map((doc) => doc.toString(yamlOptions)).join('');
}

function mergeJson(ours: string, base: string, theirs: string): string | undefined {
  let values: unknown[];
  try {
    values = [ours, base, theirs].map((text) => JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
  const indent = [2, 4, '\t'].find((space) => `${JSON.stringify(values[0], null, space)}\n` === ours);
  if (indent === undefined) return undefined;
  const root = { value: structuredClone(values[0]) };
  const setter = (path: unknown[], value: unknown) => setPath(root, ['value', ...path], value);
  if (!mergeValue([], values[0], values[1], values[2], setter)) return undefined;
  return `${JSON.stringify(root.value, null, indent)}\n`;
}

type Setter = (path: unknown[], value: unknown) => void;

/** Applies theirs' change (relative to base) at path to ours; false when both changed it differently. */
function mergeValue(path: unknown[], ours: unknown, base: unknown, theirs: unknown, set: Setter): boolean {
  if (isDeepStrictEqual(base, theirs) || isDeepStrictEqual(ours, theirs)) return true;
  if (isDeepStrictEqual(ours, base)) {
    set(path, theirs);
    return true;
  }
  if (!isMapping(ours) || !isMapping(base) || !isMapping(theirs)) return false;
  const keys = new Set([...Object.keys(base), ...Object.keys(theirs), ...Object.keys(ours)]);
  for (const key of keys) {
    if (!mergeValue([...path, key], ours[key], base[key], theirs[key], set)) return false;
  }
  return true;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map);
}

function setPath(root: Record<string, unknown>, path: unknown[], value: unknown): void {
  let node = root as Record<string, unknown>;
  for (const key of path.slice(0, -1)) node = node[key as string] as Record<string, unknown>;
  const last = path[path.length - 1] as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
}
