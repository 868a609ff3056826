// Reads a YAML or JSON answers file. Shape errors are reported here; values
// are validated later by the same rules as flags and prompts.
//
// The file is opened without blocking and must be a regular file of at most
// 1 MiB, so a FIFO, a socket, a device or /dev/zero is refused at once instead
// of hanging. A UTF-8 byte order mark is accepted. Duplicate keys (YAML and
// JSON), explicit tags outside YAML's core schema, and numbers that do not
// read back exactly where a string is expected (`python: 3.10`) are refused.

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { isMap, isScalar, parseDocument, visit, type Document } from 'yaml';
import { UsageError } from '../errors.js';
import { closest } from '../naming.js';
import { answerKeys } from '../questions/table.js';
import { showValue } from './validate-answer.js';

export interface ConfigAnswers {
  path: string;
  values: Record<string, unknown>;
}

/** Larger config files are refused: a real one is a few hundred bytes. */
export const maxConfigBytes = 1024 * 1024;

/** Answers whose value is a string that YAML may read as a number (`python: 3.12`). */
const stringAnswers = new Set(['python']);

/** Top-level keys of `.mlforge.yml`, per provenance schema (see README, "Non-interactive use"). */
export const provenanceKeys: Record<number, readonly string[]> = {
  1: ['mlforge', 'schema', 'answers', 'files'],
  2: ['mlforge', 'schema', 'version', 'answers', 'files', 'templates', 'executable', 'declined', 'policy'],
};

const coreTags = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((tag) => `tag:yaml.org,2002:${tag}`));

export async function loadConfigFile(path: string): Promise<ConfigAnswers> {
  return parseConfigText(path, readConfigText(path));
}

function readConfigText(path: string): string {
  const fail = (reason: string, cause?: unknown) =>
    new UsageError(`Cannot read --config ${showPath(path)}: ${reason}.`, { cause, field: 'config' });
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reasons: Record<string, string> = {
      ENOENT: 'no such file',
      EACCES: 'permission denied',
      EISDIR: 'it is a directory',
      ENAMETOOLONG: 'the path is too long',
      ELOOP: 'too many levels of symbolic links',
      ENXIO: 'it is a socket or a device without a reader',
    };
    throw fail((code && reasons[code]) ?? (error as Error).message, error);
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw fail('it is a directory');
    if (!stats.isFile()) throw fail('it is not a regular file (a FIFO, socket or device); pass a YAML or JSON file');
    if (stats.size > maxConfigBytes) throw fail(`it is ${stats.size} bytes; config files are limited to 1 MiB (${maxConfigBytes} bytes)`);
    // Read at most one byte more than the cap, in case the file grows while it is read.
    const buffer = Buffer.alloc(Math.min(stats.size, maxConfigBytes) + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > maxConfigBytes) throw fail(`it is larger than 1 MiB (${maxConfigBytes} bytes), the limit for config files`);
      if (length === buffer.length) break;
    }
    const text = buffer.subarray(0, length).toString('utf8');
    if (text.includes('\uFFFD') && !buffer.subarray(0, length).includes(Buffer.from('\uFFFD'))) throw fail('it is not valid UTF-8');
    return text;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw fail((error as Error).message, error);
  } finally {
    closeSync(fd);
  }
}

function showPath(path: string): string {
  return showValue(path).replace(/^"|"$/g, '');
}

export function parseConfigText(path: string, rawText: string): ConfigAnswers {
  const text = rawText.startsWith('\uFEFF') ? rawText.slice(1) : rawText;
  const invalid = (reason: string, field = 'config') => new UsageError(`Invalid --config ${showPath(path)}: ${reason}`, { field });
  const isJson = /\.json$/i.test(path);
  if (isJson) {
    try {
      JSON.parse(text); // held to JSON syntax; the document below adds duplicate-key detection
    } catch (error) {
      throw invalid(`not valid JSON: ${(error as Error).message}.`);
    }
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true, ...(isJson ? { schema: 'json' as const } : {}) });
  const problem = document.errors[0] ?? document.warnings.find((warning) => warning.code === 'TAG_RESOLVE_FAILED');
  if (problem) throw invalid(`not valid ${isJson ? 'JSON' : 'YAML'}: ${problem.message}`);
  rejectUnknownTags(document, invalid);
  const data: unknown = document.toJS({ maxAliasCount: 100 });
  if (data === null || data === undefined) return { path, values: {} };
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw invalid('the top level must be a mapping of answer names to values.');
  }
  let values = data as Record<string, unknown>;
  let answersNode: unknown = document.contents;
  // `.mlforge.yml` provenance files nest the answers; accept them as configs, checked against their schema.
  if (isProvenance(values)) {
    const schema = values.schema as number;
    const allowed = provenanceKeys[schema];
    if (!allowed) throw invalid(`unknown .mlforge.yml schema ${showValue(schema)} (known: ${Object.keys(provenanceKeys).join(', ')}).`, 'schema');
    for (const key of Object.keys(values)) {
      if (!allowed.includes(key)) throw invalid(`unknown top-level key ${showValue(key)} for .mlforge.yml schema ${schema} (allowed: ${allowed.join(', ')}).`, key);
    }
    answersNode = isMap(document.contents) ? document.contents.get('answers', true) : undefined;
    values = values.answers as Record<string, unknown>;
  }
  for (const key of Object.keys(values)) {
    if (!(answerKeys as readonly string[]).includes(key)) {
      const hint = closest(key, answerKeys);
      throw invalid(`unknown key ${showValue(key)}${hint ? ` (did you mean "${hint}"?)` : ''}. Known keys: ${answerKeys.join(', ')}.`, key);
    }
  }
  checkStringAnswers(answersNode, values, invalid);
  return { path, values };
}

function isProvenance(values: Record<string, unknown>): boolean {
  return typeof values.answers === 'object' && values.answers !== null && !Array.isArray(values.answers) && typeof values.schema === 'number';
}

function rejectUnknownTags(document: Document, invalid: (reason: string) => UsageError): void {
  visit(document, {
    Node(_key, node) {
      const tag = (node as { tag?: string }).tag;
      if (tag !== undefined && !coreTags.has(tag)) {
        throw invalid(`the tag ${showValue(tag)} is not allowed (only plain YAML values: strings, numbers, booleans, null, maps, lists).`);
      }
    },
  });
}

/** A number where a string is expected is kept only if it reads back exactly: `3.12` yes, `3.10` (read as 3.1) no. */
function checkStringAnswers(node: unknown, values: Record<string, unknown>, invalid: (reason: string, field?: string) => UsageError): void {
  if (!isMap(node)) return;
  for (const key of stringAnswers) {
    const scalar = node.get(key, true);
    if (!isScalar(scalar) || typeof scalar.value !== 'number') continue;
    const source = scalar.source ?? String(scalar.value);
    if (String(scalar.value) !== source) {
      throw invalid(
        `"${key}" is the number ${showValue(source)}, which reads back as ${showValue(scalar.value)}; write it as a string: ${key}: "${source}".`,
        key,
      );
    }
    values[key] = String(scalar.value);
  }
}
