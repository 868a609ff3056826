// Three-way merge of one file: line-based (node-diff3) first; where lines
// conflict, a structure-aware merge for YAML and JSON (only when it writes the
// user's file back byte for byte), then union rules (dependency lists, and
// files whose policy is `union`); otherwise diff3 conflict markers labelled
// `yours` / `mlforge <base>` / `mlforge <new>`.

import { diff3Merge } from 'node-diff3';
import type { Policy } from '../plan/provenance.js';
import { mergeStructured } from './merge-structured.js';
import { unionHunk } from './union.js';

export interface MergeLabels {
  base: string;
  theirs: string;
}

export type MergeHow = 'lines' | 'structure' | 'union' | 'markers';

export interface MergeResult {
  text: string;
  conflict: boolean;
  how: MergeHow;
}

interface Region {
  ok?: string[];
  conflict?: { a: string[]; o: string[]; b: string[] };
}

export function mergeText(ours: string, base: string, theirs: string, path: string, policy: Policy, labels: MergeLabels): MergeResult {
  const regions = diff3Merge(lines(ours), lines(base), lines(theirs), { excludeFalseConflicts: true }) as Region[];
  if (regions.every((region) => region.ok)) return { text: join(regions.flatMap((region) => region.ok!)), conflict: false, how: 'lines' };

  const structured = mergeStructured(ours, base, theirs, path);
  if (structured !== undefined) return { text: structured, conflict: false, how: 'structure' };

  let unresolved = false;
  let usedUnion = false;
  const out: string[] = [];
  for (const region of regions) {
    if (region.ok) {
      out.push(...region.ok);
      continue;
    }
    const { a, o, b } = region.conflict!;
    const union = unionHunk(a, o, b, path, policy);
    if (union) {
      usedUnion = true;
      out.push(...union);
      continue;
    }
    unresolved = true;
    out.push('<<<<<<< yours', ...a, `||||||| ${labels.base}`, ...o, '=======', ...b, `>>>>>>> ${labels.theirs}`);
  }
  return { text: join(out), conflict: unresolved, how: unresolved ? 'markers' : usedUnion ? 'union' : 'lines' };
}

/** Lines without their terminators; a final newline shows as a last empty element. */
function lines(text: string): string[] {
  return text.split('\n');
}

function join(parts: string[]): string {
  return parts.join('\n');
}

/** Whether text holds markers that an mlforge update wrote and nobody resolved. */
export function hasUpdateMarkers(text: string): boolean {
  return /^<<<<<<< yours$/m.test(text) && /^>>>>>>> mlforge /m.test(text);
}
