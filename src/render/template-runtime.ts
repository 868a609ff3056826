// Run time of the templates compiled to JavaScript (compile-template.ts): the
// few operations their code calls, with the exact semantics of Handlebars in
// strict mode without escaping (lookups of own properties only, a missing
// value printed without a helper is an error, `if`'s notion of empty, `each`
// over arrays, iterables and objects, indented standalone partials).

import { helpers } from './helpers.js';

export type Context = unknown;

/** Own properties only, as Handlebars' prototype access control does by default. */
export function lookup(parent: unknown, name: string): unknown {
  const result = (parent as Record<string, unknown>)[name];
  if (result == null) return result;
  const own = Object.prototype.hasOwnProperty.call(parent, name);
  const prototypeConstructor = name === 'constructor' && typeof result === 'function' && (result as { prototype?: unknown }).prototype === parent;
  return own && !prototypeConstructor ? result : undefined;
}

/** A value printed by `{{path}}`: it must exist on its object (strict mode). */
export function strict(parent: unknown, name: string, line: number, column: number): unknown {
  if (!parent || !(name in (parent as object))) {
    throw new Error('"' + name + '" not defined in ' + (parent as string) + ' - ' + line + ':' + column);
  }
  return lookup(parent, name);
}

/** What a mustache appends: nothing for null and undefined, the value itself otherwise (joined with `+`). */
export function out(value: unknown): unknown {
  return value != null ? value : '';
}

export function lambda(value: unknown, context: Context): unknown {
  return typeof value === 'function' ? (value as (this: unknown) => unknown).call(context) : value;
}

/** `{{#if}}`: false, empty, 0 and [] are false; a function is called first. */
export function truthy(value: unknown, context: Context): boolean {
  const conditional = lambda(value, context ?? {});
  return !(!conditional || (Array.isArray(conditional) && conditional.length === 0));
}

export function each(value: unknown, context: Context, fn: (item: unknown) => string, inverse: (context: Context) => string): string {
  let items = lambda(value, context ?? {});
  let out = '';
  let index = 0;
  if (items && typeof items === 'object') {
    if (!Array.isArray(items) && typeof (items as Iterable<unknown>)[Symbol.iterator] === 'function') items = [...(items as Iterable<unknown>)];
    if (Array.isArray(items)) {
      for (const length = items.length; index < length; index++) if (index in items) out = out + fn(items[index]);
    } else {
      for (const key of Object.keys(items as object)) {
        out = out + fn((items as Record<string, unknown>)[key]);
        index++;
      }
    }
  }
  return index === 0 ? inverse(context) : out;
}

/** A standalone partial's output, every line indented like the partial tag (not the empty rest after a final newline). */
export function indent(text: string, by: string): string {
  if (!by) return text;
  let out = '';
  let start = 0;
  for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
    out = out + by + text.slice(start, newline + 1);
    start = newline + 1;
  }
  return start < text.length ? out + by + text.slice(start) : out;
}

/** The options object Handlebars passes as a helper's last argument; our helpers ignore it. */
const helperOptions = Object.freeze({ hash: Object.freeze({}) });

export const runtime = { out, lookup, strict, lambda, truthy, each, indent, helpers, helperOptions };
export type TemplateRuntime = typeof runtime;
