// Union rules for a conflicting hunk of a line merge: both sides added lines
// to the same place, and keeping both is right. Two cases: a TOML list of
// requirement strings (pyproject dependencies, matched by package name), and
// any file whose ownership policy is `union` (.gitignore, .dockerignore).

import type { Policy } from '../plan/provenance.js';

/** The merged lines, or undefined when the hunk is a real conflict. */
export function unionHunk(ours: string[], base: string[], theirs: string[], path: string, policy: Policy): string[] | undefined {
  if (path.endsWith('.toml')) {
    const merged = unionRequirements(ours, base, theirs);
    if (merged) return merged;
  }
  if (policy === 'union') return unionLines(ours, base, theirs);
  return undefined;
}

const requirementLine = /^\s*"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]"]*\])?[^"]*",?\s*$/;

function requirementName(line: string): string | undefined {
  const match = requirementLine.exec(line);
  return match ? match[1]!.toLowerCase().replace(/[-_.]+/g, '-') : undefined;
}

/** Requirement lists merged by package name: additions from both, a change from the side that made one. */
function unionRequirements(ours: string[], base: string[], theirs: string[]): string[] | undefined {
  const all = [...ours, ...base, ...theirs];
  if (all.length === 0 || all.some((line) => requirementName(line) === undefined)) return undefined;
  const byName = (list: string[]) => new Map(list.map((line) => [requirementName(line)!, line]));
  const [o, b] = [byName(base), byName(theirs)];
  const result = [...ours];
  const oursNames = new Set(ours.map((line) => requirementName(line)!));
  for (const [name, theirsLine] of b) {
    const baseLine = o.get(name);
    if (oursNames.has(name)) {
      const index = result.findIndex((line) => requirementName(line) === name);
      const oursLine = result[index]!;
      if (same(oursLine, theirsLine) || same(theirsLine, baseLine)) continue;
      if (same(oursLine, baseLine)) result[index] = withComma(theirsLine, oursLine);
      else return undefined; // both changed the same requirement
    } else if (baseLine !== undefined) {
      if (!same(theirsLine, baseLine)) return undefined; // you removed what the template changed
    } else {
      result.push(theirsLine);
    }
  }
  return fixCommas(result, theirs.length > 0 ? theirs : ours);
}

function same(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.replace(/,\s*$/, '').trim() === b.replace(/,\s*$/, '').trim();
}

function withComma(line: string, like: string): string {
  const bare = line.replace(/,\s*$/, '');
  return /,\s*$/.test(like) ? `${bare},` : bare;
}

/** Every line of the merged hunk ends with a comma when the side it follows used them. */
function fixCommas(lines: string[], sample: string[]): string[] {
  const comma = sample.every((line) => /,\s*$/.test(line));
  return comma ? lines.map((line) => (/,\s*$/.test(line) ? line : `${line.trimEnd()},`)) : lines;
}

/** Your lines, then the template's lines you do not have (except those you removed from the base). */
function unionLines(ours: string[], base: string[], theirs: string[]): string[] {
  const have = new Set(ours);
  const removed = new Set(base.filter((line) => !have.has(line)));
  const result = [...ours];
  for (const line of theirs) {
    if (have.has(line) || removed.has(line)) continue;
    have.add(line);
    result.push(line);
  }
  return result;
}
