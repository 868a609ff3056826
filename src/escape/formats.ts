// One escaping helper per output format. Each returns a complete quoted literal
// (or escaped inline text) that the target parser reads back as the input.
// Callers must reject control characters first (see questions/text-rules.ts);
// the helpers still escape them so that no input can break the syntax.

const hex = (code: number, width: number) => code.toString(16).toUpperCase().padStart(width, '0');

function escapeWith(value: string, escapes: Record<string, string>, fallback: (code: number) => string): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (escapes[char] !== undefined) out += escapes[char];
    else if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) out += fallback(code);
    else out += char;
  }
  return out;
}

const commonEscapes = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A YAML double-quoted scalar. */
export function yamlString(value: string): string {
  return `"${escapeWith(value, commonEscapes, (code) => `\\x${hex(code, 2)}`)}"`;
}

/** A JSON string. */
export function jsonString(value: string): string {
  return JSON.stringify(value);
}

/** A TOML basic string. */
export function tomlString(value: string): string {
  return `"${escapeWith(value, commonEscapes, (code) => `\\u${hex(code, 4)}`)}"`;
}

/** An HCL quoted template string: `${` and `%{` must not start interpolation or directives. */
export function hclString(value: string): string {
  const escaped = escapeWith(value, commonEscapes, (code) => `\\u${hex(code, 4)}`);
  // Replacement functions, not strings: in a replacement string `$$` would mean a single `$`.
  return `"${escaped.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{')}"`;
}

/** A Python str literal. */
export function pythonString(value: string): string {
  return `"${escapeWith(value, commonEscapes, (code) => `\\x${hex(code, 2)}`)}"`;
}

/** One shell word, single-quoted: nothing inside is expanded. */
export function shellWord(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Inline Markdown text, escaped only where Markdown (CommonMark, GitHub and GitLab flavours) would
 * read markup: emphasis, code, links, HTML, entities, tables, strikethrough and math anywhere; block
 * markers (heading, list, quote, rule, numbered list) at the start; autolinks (`://`, `@`, `www.`,
 * a dot inside a word). `A machine-learning model service.` stays as it is.
 */
export function markdownText(value: string): string {
  const inline = value.replace(/[\\`*_[\]<>&|~$@]|:(?=\/\/)|\.(?=[^\s.])/g, (char) => `\\${char}`);
  return inline
    .replace(/^(\s*)([#+\-=>])/, (_all, space: string, char: string) => `${space}\\${char}`)
    .replace(/^(\s*\d+)([.)])/, (_all, digits: string, char: string) => `${digits}\\${char}`);
}

/** A double-quoted Dockerfile value (LABEL, ENV): `$` must not expand. */
export function dockerfileString(value: string): string {
  const escaped = escapeWith(value, { '\\': '\\\\', '"': '\\"', $: '\\$' }, () => ' ');
  return `"${escaped}"`;
}
