// Where doctor may find an executable: the user's PATH, minus every entry
// that is relative (`.`, `bin`, an empty entry, which all mean "the current
// directory") or lies inside the repository being checked. A stranger's
// repository must not be able to put its own `ruff` or `git` in front.

import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative } from 'node:path';

/** Absolute PATH entries that are outside `repoRoot` (compared by real path), in order, without duplicates. */
export function safePathEntries(pathValue: string | undefined, repoRoot: string): string[] {
  const repo = realOrSelf(repoRoot);
  const kept: string[] = [];
  for (const entry of (pathValue ?? '').split(delimiter)) {
    if (entry === '' || !isAbsolute(entry)) continue;
    if (isInside(realOrSelf(entry), repo) || isInside(entry, repo)) continue;
    if (!kept.includes(entry)) kept.push(entry);
  }
  return kept;
}

/** The first executable regular file called `name` on `entries` whose real path is outside `repoRoot`. */
export function findExecutable(name: string, entries: readonly string[], repoRoot: string): string | undefined {
  const repo = realOrSelf(repoRoot);
  for (const entry of entries) {
    const candidate = join(entry, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
    } catch {
      continue;
    }
    if (isInside(realOrSelf(candidate), repo)) continue;
    return candidate;
  }
  return undefined;
}

export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
