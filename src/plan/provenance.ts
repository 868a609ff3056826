// `.mlforge.yml`: what `mlforge update` and `doctor` need to know about how a
// repository was generated. Answers hold no secrets by construction.

import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import type { Answers } from '../questions/table.js';
import type { PlannedFile } from './plan-project.js';

export const PROVENANCE_FILE = '.mlforge.yml';
export const PROVENANCE_SCHEMA = 1;

export interface Provenance {
  mlforge: string;
  schema: number;
  answers: Answers;
  files: Record<string, string>;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function provenanceFile(answers: Answers, mlforgeVersion: string, files: readonly PlannedFile[]): PlannedFile {
  const hashes = Object.fromEntries(
    [...files].sort((a, b) => (a.path < b.path ? -1 : 1)).map((file) => [file.path, `sha256:${sha256(file.contents)}`]),
  );
  const data: Provenance = { mlforge: mlforgeVersion, schema: PROVENANCE_SCHEMA, answers, files: hashes };
  const header =
    '# Written by mlforge. `mlforge update` uses the answers and hashes below to tell your\n' +
    '# edits from template changes, and `mlforge doctor` reads the answers. Keep it in version control.\n';
  return { path: PROVENANCE_FILE, contents: header + stringify(data, { lineWidth: 0 }), mode: 0o644 };
}
