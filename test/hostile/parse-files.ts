// Parses every generated file with the real parser of its format and returns
// the strings it holds, for the hostile-input and property tests.

import { parse as parseHcl } from '@cdktf/hcl2json';
import { validate as validateDockerfile } from 'dockerfile-utils';
import { execa } from 'execa';
import { parse as parseToml } from 'smol-toml';
import { parseAllDocuments } from 'yaml';
import { commonMarkUnescape, dockerfileValues, hclTemplateText, stringsIn } from './decode.js';
import { compilePython } from './tools.js';

export type Format = 'yaml' | 'json' | 'toml' | 'hcl' | 'python' | 'dockerfile' | 'markdown' | 'shell' | 'other';

export interface ParsedFile {
  path: string;
  format: Format;
  /** The parser's complaint, when the file does not parse. */
  error?: string;
  /** Literal text the file holds, decoded per format (undefined for `other`). */
  strings?: string[];
  /** Why the file was not parsed (its parser is missing here). */
  skipped?: string;
}

export function formatOf(path: string): Format {
  const name = path.split('/').pop()!;
  if (/\.ya?ml$/.test(name)) return 'yaml';
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.toml')) return 'toml';
  if (/\.(tf|tfvars|hcl)$/.test(name)) return 'hcl';
  if (name.endsWith('.py')) return 'python';
  if (name === 'Dockerfile' || name.endsWith('.Dockerfile') || name.startsWith('Dockerfile.')) return 'dockerfile';
  if (name.endsWith('.md')) return 'markdown';
  if (name.endsWith('.sh')) return 'shell';
  return 'other';
}

/** `python` is an interpreter path; without one, Python files come back `skipped: python3 not available`. */
export async function parseFiles(files: ReadonlyArray<{ path: string; contents: string }>, python: string | undefined): Promise<ParsedFile[]> {
  const pythonFiles = Object.fromEntries(files.filter((file) => formatOf(file.path) === 'python').map((file) => [file.path, file.contents]));
  const pythonReports = python && Object.keys(pythonFiles).length > 0 ? await compilePython(python, pythonFiles) : {};
  return Promise.all(
    files.map(async (file): Promise<ParsedFile> => {
      const format = formatOf(file.path);
      if (format === 'python' && !python) return { path: file.path, format, skipped: 'python3 not available' };
      try {
        const strings = await decode(format, file.path, file.contents, pythonReports);
        return { path: file.path, format, ...(strings ? { strings } : {}) };
      } catch (error) {
        return { path: file.path, format, error: (error as Error).message };
      }
    }),
  );
}

async function decode(
  format: Format,
  path: string,
  text: string,
  pythonReports: Record<string, { error?: string; strings: string[] }>,
): Promise<string[] | undefined> {
  switch (format) {
    case 'yaml': {
      const documents = parseAllDocuments(text);
      const list = Array.isArray(documents) ? documents : [documents];
      const errors = list.flatMap((document) => document.errors.map((error) => error.message));
      if (errors.length > 0) throw new Error(errors.join('; '));
      return list.flatMap((document) => stringsIn(document.toJS()));
    }
    case 'json':
      return stringsIn(JSON.parse(text));
    case 'toml':
      return stringsIn(parseToml(text));
    case 'hcl':
      return stringsIn(await parseHcl(path, text)).map(hclTemplateText);
    case 'python': {
      const report = pythonReports[path];
      if (!report) throw new Error('the Python compile step returned no report for this file');
      if (report.error) throw new Error(report.error);
      return report.strings;
    }
    case 'dockerfile': {
      const errors = validateDockerfile(text).filter((diagnostic) => diagnostic.severity === 1);
      if (errors.length > 0) throw new Error(errors.map((error) => `line ${error.range.start.line + 1}: ${error.message}`).join('; '));
      return dockerfileValues(text);
    }
    case 'markdown':
      return [commonMarkUnescape(text)];
    case 'shell': {
      const result = await execa('bash', ['-n'], { input: text, reject: false });
      if (result.exitCode !== 0) throw new Error(result.stderr);
      return undefined;
    }
    case 'other':
      return undefined;
  }
}

/** CI files, where free text must never appear (GitHub and GitLab expand expressions and variables in them). */
export const isCiFile = (path: string) => path.startsWith('.github/') || path.startsWith('.gitlab') || path === '.gitlab-ci.yml';
