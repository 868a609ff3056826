// Free text (description, author) travels through the templates wrapped, so a
// template that prints it raw fails loudly instead of writing an unescaped value.

const texts = new WeakMap<FreeText, string>();

export class FreeText {
  constructor(text: string) {
    texts.set(this, text);
  }
  toString(): string {
    throw new Error('free text must be rendered through an escaping helper (yaml, json, toml, hcl, py, sh, md, docker)');
  }
  toJSON(): string {
    return unwrapText(this);
  }
}

/** The plain string behind a FreeText (or a string/number/boolean as text). */
export function unwrapText(value: unknown): string {
  if (value instanceof FreeText) return texts.get(value)!;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TypeError(`cannot escape a value of type ${value === null ? 'null' : typeof value}`);
}
