// Finds fields Kubernetes does not know (a typo such as `readinesProbe` is
// silently dropped by the API server). kubernetes-models validates types but
// allows unknown keys, so the known fields are read from the typed interfaces
// it ships (its .d.ts files), which are generated from the Kubernetes OpenAPI.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/** A field's type: an object with known fields, a leaf (string, number, free map...), or a list/map of one. */
type FieldType =
  | { kind: 'object'; file: string }
  | { kind: 'leaf' }
  | { kind: 'array'; of: FieldType }
  | { kind: 'map'; of: FieldType };

interface Interface {
  fields: Map<string, FieldType>;
}

const parsed = new Map<string, Interface | null>();

function packageRoot(from: string, name: string): string {
  return dirname(createRequire(from).resolve(name));
}

let roots: { models: string; apimachinery: string } | undefined;
function packageRoots() {
  if (!roots) {
    const models = packageRoot(import.meta.url, 'kubernetes-models');
    roots = { models, apimachinery: packageRoot(join(models, 'index.js'), '@kubernetes-models/apimachinery') };
  }
  return roots;
}

/** The .d.ts file of a built-in kind, or undefined when kubernetes-models has none. */
export function definitionFile(apiVersion: string, kind: string): string | undefined {
  const file = join(packageRoots().models, apiVersion, `${kind}.d.ts`);
  return existsSync(file) ? file : undefined;
}

/** The .d.ts file of a core/v1 type (PodTemplateSpec, PodSpec...). */
export function coreDefinitionFile(type: string): string {
  return join(packageRoots().models, 'v1', `${type}.d.ts`);
}

/**
 * Paths (like `spec.template.spec.containers[0].readinesProbe`) of fields in
 * `value` that the type in `file` does not declare.
 */
export function unknownFields(value: unknown, file: string, path = ''): string[] {
  return check(value, { kind: 'object', file }, path);
}

function check(value: unknown, type: FieldType, path: string): string[] {
  if (value === null || value === undefined) return [];
  switch (type.kind) {
    case 'leaf':
      return [];
    case 'array':
      return Array.isArray(value) ? value.flatMap((item, index) => check(item, type.of, `${path}[${index}]`)) : [];
    case 'map':
      return typeof value === 'object' && !Array.isArray(value)
        ? Object.entries(value).flatMap(([key, item]) => check(item, type.of, `${path}.${key}`))
        : [];
    case 'object': {
      const declared = loadInterface(type.file);
      if (!declared || typeof value !== 'object' || Array.isArray(value)) return [];
      return Object.entries(value).flatMap(([key, item]) => {
        const fieldPath = path ? `${path}.${key}` : key;
        const fieldType = declared.fields.get(key);
        return fieldType ? check(item, fieldType, fieldPath) : [fieldPath];
      });
    }
  }
}

function loadInterface(file: string): Interface | null {
  if (parsed.has(file)) return parsed.get(file)!;
  parsed.set(file, null); // guards recursive types (JSONSchemaProps) while parsing
  const result = existsSync(file) ? parseInterface(file, readFileSync(file, 'utf8')) : null;
  parsed.set(file, result);
  return result;
}

/** Reads `export interface IName { "field"?: Type; ... }` and its imports. */
function parseInterface(file: string, source: string): Interface | null {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '');
  const imports = new Map<string, string>();
  for (const match of text.matchAll(/import \{ (\w+) \} from "([^"]+)";/g)) {
    imports.set(match[1]!, resolveImport(file, match[2]!));
  }
  const start = /export interface I\w+(?: extends [\w, ]+)? \{/.exec(text);
  if (!start) return null;
  const body = bracedBody(text, start.index + start[0].length);
  const fields = new Map<string, FieldType>();
  for (const [name, typeText] of properties(body)) fields.set(name, fieldType(typeText, imports));
  return { fields };
}

function resolveImport(file: string, specifier: string): string {
  const apimachinery = '@kubernetes-models/apimachinery/';
  if (specifier.startsWith(apimachinery)) return join(packageRoots().apimachinery, `${specifier.slice(apimachinery.length)}.d.ts`);
  if (specifier.startsWith('.')) return resolve(dirname(file), `${specifier}.d.ts`);
  return ''; // @kubernetes-models/base: TypeMeta only
}

/** Text between the brace before `from` and its matching closing brace. */
function bracedBody(text: string, from: number): string {
  let depth = 1;
  for (let index = from; index < text.length; index++) {
    if (text[index] === '{') depth++;
    else if (text[index] === '}' && --depth === 0) return text.slice(from, index);
  }
  return text.slice(from);
}

/** `"name"?: Type;` pairs at the top level of an interface body. */
function properties(body: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const pattern = /"([^"]+)"\??:\s*/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(body))) {
    let depth = 0;
    let end = pattern.lastIndex;
    for (; end < body.length; end++) {
      const char = body[end];
      if (char === '{' || char === '<' || char === '(') depth++;
      else if (char === '}' || char === '>' || char === ')') depth--;
      else if (char === ';' && depth === 0) break;
    }
    out.push([match[1]!, body.slice(pattern.lastIndex, end).trim()]);
    pattern.lastIndex = end + 1;
  }
  return out;
}

function fieldType(text: string, imports: Map<string, string>): FieldType {
  const array = /^Array<([\s\S]*)>$/.exec(text);
  if (array) return { kind: 'array', of: fieldType(array[1]!.trim(), imports) };
  const map = /^\{\s*\[key: string\]:\s*([\s\S]*?);?\s*\}$/.exec(text);
  if (map) return { kind: 'map', of: fieldType(map[1]!.trim(), imports) };
  const file = imports.get(text);
  return file ? { kind: 'object', file } : { kind: 'leaf' };
}
