// Reads a YAML or JSON answers file. Shape errors are reported here; values
// are validated later by the same rules as flags and prompts.

import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../errors.js';
import { closest } from '../naming.js';
import { answerKeys } from '../questions/table.js';

export interface ConfigAnswers {
  path: string;
  values: Record<string, unknown>;
}

export async function loadConfigFile(path: string): Promise<ConfigAnswers> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(`Cannot read --config ${path}: ${reason}.`, { cause: error, field: 'config' });
  }
  return parseConfigText(path, text);
}

export function parseConfigText(path: string, text: string): ConfigAnswers {
  let data: unknown;
  try {
    // A .json file is held to JSON; anything else is read as YAML 1.2 (a superset of JSON).
    data = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    throw new UsageError(`Invalid --config ${path}: not valid YAML or JSON: ${(error as Error).message}`, {
      cause: error,
      field: 'config',
    });
  }
  if (data === null || data === undefined) return { path, values: {} };
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new UsageError(`Invalid --config ${path}: the top level must be a mapping of answer names to values.`, {
      field: 'config',
    });
  }
  const values = data as Record<string, unknown>;
  // `.mlforge.yml` provenance files nest the answers; accept them as configs too.
  if ('answers' in values && ('mlforge' in values || 'version' in values) && typeof values.answers === 'object' && values.answers !== null) {
    return parseConfigText(path, JSON.stringify(values.answers));
  }
  for (const key of Object.keys(values)) {
    if (!(answerKeys as readonly string[]).includes(key)) {
      const hint = closest(key, answerKeys);
      throw new UsageError(
        `Invalid --config ${path}: unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}. ` +
          `Known keys: ${answerKeys.join(', ')}.`,
        { field: key },
      );
    }
  }
  return { path, values };
}
