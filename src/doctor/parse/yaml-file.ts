// YAML files read for doctor: every document with a way back to the line of
// any node, and parse errors turned into findings instead of exceptions.

import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { Finding, RepoView } from '../types.js';
import { oncePerRepo } from './per-repo.js';

export type YamlPath = ReadonlyArray<string | number>;

export interface YamlDoc {
  file: string;
  /** Position of the document in its file (0-based). */
  index: number;
  data: unknown;
  /** 1-based line of the node at `path`, or of its nearest existing parent. */
  lineOf(path: YamlPath): number | undefined;
  /**
   * The string at `path` and where its text starts: `line` is 1-based (a block scalar's text starts
   * after its `|` or `>`); `literal` when each line of the value is a line of the file (`|`).
   */
  textAt(path: YamlPath): { text: string; line: number; literal: boolean } | undefined;
}

export interface YamlFile {
  file: string;
  docs: YamlDoc[];
  errors: Finding[];
}

/** Parses `file` once per RepoView; checks share the result. */
export function readYaml(repo: RepoView, file: string): Promise<YamlFile> {
  return oncePerRepo(repo, `yaml:${file}`, async () => parseYamlText(file, await repo.read(file)));
}

export function parseYamlText(file: string, text: string): YamlFile {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const list = Array.isArray(documents) ? documents : [];
  const errors: Finding[] = [];
  const docs: YamlDoc[] = [];
  list.forEach((document: Document, index) => {
    for (const error of document.errors) {
      errors.push({
        file,
        line: lineCounter.linePos(error.pos[0]).line,
        message: `YAML error: ${error.message.split('\n')[0]}`,
        fix: 'Fix the YAML syntax so the file parses.',
      });
    }
    if (document.errors.length > 0) return;
    const data = document.toJS({ maxAliasCount: 1000 }) as unknown;
    if (data === null || data === undefined) return;
    docs.push({ file, index, data, lineOf: (path) => lineOfNode(document, lineCounter, path), textAt: (path) => textAtNode(document, lineCounter, path) });
  });
  return { file, docs, errors };
}

function lineOfNode(document: Document, lineCounter: LineCounter, path: YamlPath): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = document.getIn(path.slice(0, depth), true) as unknown;
    const range = nodeRange(node);
    if (range) return lineCounter.linePos(range[0]).line;
  }
  return undefined;
}

function textAtNode(document: Document, lineCounter: LineCounter, path: YamlPath): { text: string; line: number; literal: boolean } | undefined {
  const node = document.getIn(path, true) as unknown;
  if (!isScalar(node) || !node.range || typeof node.value !== 'string') return undefined;
  const line = lineCounter.linePos(node.range[0]).line;
  const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
  return { text: node.value, line: block ? line + 1 : line, literal: node.type === 'BLOCK_LITERAL' };
}

function nodeRange(node: unknown): [number, number, number] | undefined {
  if (isScalar(node) || isMap(node) || isSeq(node)) return node.range ?? undefined;
  return undefined;
}

/** Small typed accessors for parsed YAML/JSON data. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
export function getIn(value: unknown, path: YamlPath): unknown {
  let current = value;
  for (const key of path) {
    if (typeof key === 'number') current = Array.isArray(current) ? current[key] : undefined;
    else current = asRecord(current)?.[key];
    if (current === undefined) return undefined;
  }
  return current;
}
