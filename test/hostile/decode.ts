// Reads the literal text out of parsed files, so a test can ask "does the
// value appear verbatim, and only as inert text?" per format.

import { DockerfileParser } from 'dockerfile-ast';

/**
 * The literal text of an HCL quoted template as hcl2json returns it (escapes
 * already decoded, `$${`/`%%{` kept): `$${` and `%%{` become `${` and `%{`;
 * every live interpolation or directive becomes U+0000, so a value that
 * reached HCL unescaped can never match.
 */
export function hclTemplateText(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const rest = raw.slice(i);
    if (rest.startsWith('$${') || rest.startsWith('%%{')) {
      out += `${raw[i]}{`;
      i += 2;
    } else if (rest.startsWith('${') || rest.startsWith('%{')) {
      out += '\u0000';
      i = closingBrace(raw, i + 1);
    } else {
      out += raw[i];
    }
  }
  return out;
}

function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return text.length;
}

/** Every string in a parsed YAML/JSON/TOML/HCL value, keys included. */
export function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((item) => stringsIn(item, out));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push(key);
      stringsIn(item, out);
    }
  }
  return out;
}

/**
 * Values of LABEL/ENV/ARG key=value pairs as Docker reads them: in double
 * quotes a backslash escapes `"`, `$` and itself (moby's shell lexer); a value
 * with an unescaped `$` expands and is reported as U+0000.
 */
export function dockerfileValues(text: string): string[] {
  const values: string[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const withProperties = instruction as unknown as { getProperties?: () => Array<{ getUnescapedValue(): string | null }> };
    for (const property of withProperties.getProperties?.() ?? []) {
      const raw = property.getUnescapedValue();
      if (raw !== null) values.push(dockerWord(raw));
    }
  }
  return values;
}

function dockerWord(raw: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i]!;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else out += char;
    } else if (char === '\\' && (quote === undefined || ['"', '$', '\\'].includes(raw[i + 1] ?? ''))) {
      out += raw[++i] ?? '';
    } else if (char === '"' || (char === "'" && quote === undefined)) {
      quote = quote === char ? undefined : char;
    } else if (char === '$') {
      out += '\u0000';
    } else {
      out += char;
    }
  }
  return out;
}

/** CommonMark: a backslash before ASCII punctuation stands for that character. */
export function commonMarkUnescape(text: string): string {
  return text.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}
