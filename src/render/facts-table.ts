// The facts table (templates/facts.yml): where each value derived from the
// answers appears in a generated repository. It is data beside the templates;
// `mlforge doctor` (agreement.facts) resolves every place against the value
// the generator derives, and mlforge's tests resolve every place on every row
// of the option matrix. This module only reads and validates the table.

export interface FactPlace {
  /** Path in the repository; `{name}` parts are context values (`src/{packageName}/settings.py`). */
  file: string;
  /** Answers the place needs besides its file being generated: key -> accepted values. */
  when?: Record<string, string[]>;
  /** A path into a YAML document: keys, list indexes `[0]`, list items `[key=value]`. */
  yaml?: string;
  /** Which document of a multi-document YAML file: by metadata.name and kind. */
  doc?: { name?: string; kind?: string[] };
  /** The text of the YAML scalar around the value, `{value}` marking it (default: the value alone). */
  format?: string;
  /**
   * A regular expression over the file's text (`^`/`$` per line) with `{value}` marking the value:
   * the shortest run of non-blanks before what follows it. Every match must hold the value.
   */
  text?: string;
}

export interface FactRow {
  /** A path into the render context (src/derive.ts): `port`, `registry.image`, `training.cronJob`. */
  value: string;
  /** What the value is, for findings. */
  what: string;
  places: FactPlace[];
}

export class FactsTableError extends Error {}

export function parseFacts(source: string, data: unknown): FactRow[] {
  const rows = (data as { facts?: unknown } | null)?.facts;
  if (!Array.isArray(rows)) throw new FactsTableError(`${source}: "facts" must be a list`);
  return rows.map((row, index) => parseRow(`${source}: facts[${index}]`, row));
}

function parseRow(where: string, row: unknown): FactRow {
  const record = asRecord(row, where);
  onlyKeys(record, ['value', 'what', 'places'], where);
  const value = text(record.value, `${where}.value`);
  const what = text(record.what, `${where}.what`);
  if (!Array.isArray(record.places) || record.places.length === 0) throw new FactsTableError(`${where}.places must be a non-empty list`);
  return { value, what, places: record.places.map((place, index) => parsePlace(`${where}.places[${index}]`, place)) };
}

function parsePlace(where: string, place: unknown): FactPlace {
  const record = asRecord(place, where);
  onlyKeys(record, ['file', 'when', 'yaml', 'doc', 'format', 'text'], where);
  const parsed: FactPlace = { file: text(record.file, `${where}.file`) };
  if ((record.yaml === undefined) === (record.text === undefined)) throw new FactsTableError(`${where} needs exactly one of "yaml" and "text"`);
  if (record.yaml !== undefined) parsed.yaml = text(record.yaml, `${where}.yaml`);
  if (record.text !== undefined) {
    parsed.text = text(record.text, `${where}.text`);
    if (!parsed.text.includes('{value}')) throw new FactsTableError(`${where}.text must mark the value with {value}`);
    // The value is matched as the shortest run of non-blanks before what follows it.
    if (parsed.text.endsWith('{value}')) throw new FactsTableError(`${where}.text must say what follows {value} (end with $ for the end of the line)`);
    try {
      new RegExp(parsed.text.replaceAll('{value}', '(x)'), 'm');
    } catch (error) {
      throw new FactsTableError(`${where}.text is not a regular expression: ${(error as Error).message}`);
    }
  }
  if (record.format !== undefined) {
    if (parsed.yaml === undefined) throw new FactsTableError(`${where}.format goes with "yaml"`);
    parsed.format = text(record.format, `${where}.format`);
    if (!parsed.format.includes('{value}')) throw new FactsTableError(`${where}.format must mark the value with {value}`);
  }
  if (record.doc !== undefined) {
    const doc = asRecord(record.doc, `${where}.doc`);
    onlyKeys(doc, ['name', 'kind'], `${where}.doc`);
    parsed.doc = {
      ...(doc.name !== undefined ? { name: text(doc.name, `${where}.doc.name`) } : {}),
      ...(doc.kind !== undefined ? { kind: texts(doc.kind, `${where}.doc.kind`) } : {}),
    };
  }
  if (record.when !== undefined) {
    const when = asRecord(record.when, `${where}.when`);
    parsed.when = Object.fromEntries(Object.entries(when).map(([key, accepted]) => [key, texts(accepted, `${where}.when.${key}`)]));
  }
  return parsed;
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new FactsTableError(`${where} must be a mapping`);
  return value as Record<string, unknown>;
}

function onlyKeys(record: Record<string, unknown>, keys: readonly string[], where: string): void {
  const unknown = Object.keys(record).filter((key) => !keys.includes(key));
  if (unknown.length > 0) throw new FactsTableError(`${where} has unknown key "${unknown[0]}" (known: ${keys.join(', ')})`);
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') throw new FactsTableError(`${where} must be a non-empty string`);
  return value;
}

/** A string or a list of scalars, as strings (`gpu: false` and `gpu: [false]` alike). */
function texts(value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((item) => !['string', 'number', 'boolean'].includes(typeof item))) {
    throw new FactsTableError(`${where} must be a scalar or a list of scalars`);
  }
  return list.map(String);
}
