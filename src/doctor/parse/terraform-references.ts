// References inside Terraform expressions, as @cdktf/hcl2json leaves them:
// every expression is a `${...}` in a string. The traversals doctor checks are
// resource (`aws_iam_role.ci.arn`), data (`data.x.y.z`), module
// (`module.cluster.name`), `var.x` and `local.x`; string literals inside an
// expression are blanked first, so a dotted word in quotes is never one.

export interface TfReference {
  /** `resource`, `data`, `module`, `var` or `local`. */
  kind: 'resource' | 'data' | 'module' | 'var' | 'local';
  /** Resource or data type (resource/data only). */
  type?: string;
  /** Resource, data, module, variable or local name. */
  name: string;
  /** Attribute steps after the name; `[n]`, `[*]` and `.*` are skipped. */
  path: string[];
  /** The whole traversal as written, for messages. */
  text: string;
}

/** Every `${...}` expression in a string value (nested braces balanced). */
export function expressionsIn(value: string): string[] {
  const expressions: string[] = [];
  let index = value.indexOf('${');
  while (index >= 0) {
    let depth = 0;
    let end = index + 2;
    let quoted = false;
    for (; end < value.length; end++) {
      const char = value[end]!;
      if (quoted) {
        if (char === '\\') end++;
        else if (char === '"') quoted = false;
        continue;
      }
      if (char === '"') quoted = true;
      else if (char === '{') depth++;
      else if (char === '}') {
        if (depth === 0) break;
        depth--;
      }
    }
    expressions.push(value.slice(index + 2, end));
    index = value.indexOf('${', end);
  }
  return expressions;
}

/** Blanks string literals (keeping their interpolations' references) and heredocs. */
function withoutLiterals(expression: string): string {
  let out = '';
  for (let index = 0; index < expression.length; index++) {
    const char = expression[index]!;
    if (char !== '"') {
      out += char;
      continue;
    }
    // A literal: keep the ${...} inside it (they are expressions too), drop the text.
    let end = index + 1;
    let literal = '';
    for (; end < expression.length && expression[end] !== '"'; end++) {
      if (expression[end] === '\\') end++;
      else literal += expression[end];
    }
    out += ` ${expressionsIn(literal).join(' ')} `;
    index = end;
  }
  return out;
}

const traversal = /(?<![\w.\]])([a-z][a-z0-9_-]*)((?:\.[A-Za-z_][\w-]*|\[(?:\d+|\*|"[^"]*")\]|\.\*)+)/g;

/** The checked references in one expression. */
export function referencesIn(expression: string): TfReference[] {
  const found: TfReference[] = [];
  const text = withoutLiterals(expression);
  for (const match of text.matchAll(traversal)) {
    const head = match[1]!;
    const steps = [...match[2]!.matchAll(/\.([A-Za-z_][\w-]*)|\[[^\]]*\]|\.\*/g)].map((step) => step[1]).filter((step): step is string => step !== undefined);
    const whole = `${head}${match[2]}`;
    // A call such as `lookup(...)` is no traversal; `x.y(` cannot occur in HCL.
    if (text[match.index! + whole.length] === '(') continue;
    if (head === 'var' || head === 'local') {
      if (steps[0]) found.push({ kind: head, name: steps[0], path: steps.slice(1), text: whole });
    } else if (head === 'module') {
      if (steps[0]) found.push({ kind: 'module', name: steps[0], path: steps.slice(1), text: whole });
    } else if (head === 'data') {
      if (steps[0] && steps[1]) found.push({ kind: 'data', type: steps[0], name: steps[1], path: steps.slice(2), text: whole });
    } else if (head.includes('_') && steps[0]) {
      found.push({ kind: 'resource', type: head, name: steps[0], path: steps.slice(1), text: whole });
    }
  }
  return found;
}

/** Every string in a parsed HCL value, depth first. */
export function* stringsIn(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* stringsIn(item);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) yield* stringsIn(item);
}

/** The references of every expression in a parsed HCL value. */
export function referencesOf(value: unknown): TfReference[] {
  return [...stringsIn(value)].flatMap((text) => expressionsIn(text).flatMap(referencesIn));
}
