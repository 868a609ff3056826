// Text from a checked repository (file contents, answers, tool output) is
// untrusted: before it reaches a terminal every control character (C0, DEL,
// C1 such as CSI), bidirectional control and other invisible format character
// is shown as a visible escape, so a file cannot move the cursor, recolour the
// report, hide a line or make one read differently from what it says.

/** C0 and DEL, C1, and the format characters (bidi controls, zero-width, BOM, tags, line separators). */
const unsafe = /[\u0000-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/gu;

const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

/** `text` with every unsafe character written as `\n`, `\e` or `\u{202e}`. */
export function escapeForTerminal(text: string): string {
  return text.replace(unsafe, (char) => named[char] ?? `\\u{${char.codePointAt(0)!.toString(16)}}`);
}

/** Whether `text` holds a character escapeForTerminal would rewrite. */
export function hasUnsafeCharacters(text: string): boolean {
  unsafe.lastIndex = 0;
  const found = unsafe.test(text);
  unsafe.lastIndex = 0;
  return found;
}

/**
 * JSON.stringify escapes C0 only; this also writes C1, bidi and other format
 * characters as \u escapes (four hex digits), so `--json` printed to a terminal is inert and still
 * parses to the same values.
 */
export function inertJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\p{Cf}\u2028\u2029]/gu, (char) => {
    const code = char.codePointAt(0)!;
    if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
    const high = Math.floor((code - 0x10000) / 0x400) + 0xd800;
    const low = ((code - 0x10000) % 0x400) + 0xdc00;
    return `\\u${high.toString(16)}\\u${low.toString(16)}`;
  });
}
