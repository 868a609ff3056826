// Where the target really is and what stands there before anything is
// written. The target path itself may be reached through symlinks (the user
// named it); its real path is the root every planned path must stay inside.

import type { Stats } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { ConflictError, UsageError } from '../errors.js';
import { leftoverNames } from './leftovers.js';
import { kindOf, lstatOrUndefined, realFs, realPath, shownPath, type WriterFs } from './safe-path.js';

export type TargetState =
  | { kind: 'missing' }
  | { kind: 'empty-directory' }
  | { kind: 'non-empty-directory'; entries: string[] }
  | { kind: 'not-a-directory' };

export interface ResolvedTarget {
  /** The real path of the target (its parent resolved; the target itself when it exists). */
  root: string;
  /** The real path of the target's parent. */
  parent: string;
  /** Parent directories that do not exist yet, outermost first. */
  missingParents: string[];
  state: TargetState;
}

/** Path errors the file system raises for the name itself: the user must pick another path (exit 2). */
const refusedPathCodes: Record<string, string> = {
  ENAMETOOLONG: 'the path is too long for the file system',
  EINVAL: 'the file system refuses this name',
  EILSEQ: 'the file system refuses the characters in this name',
  ELOOP: 'it runs through a loop of symbolic links',
};

export function refusedPath(error: unknown, path: string): UsageError | undefined {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const reason = refusedPathCodes[code];
  if (!reason) return undefined;
  return new UsageError(`Invalid target ${shownPath(path)}: ${reason} (${code}). Choose another directory.`, {
    cause: error,
    field: 'directory',
  });
}

export function resolveTarget(fs: WriterFs, target: string): ResolvedTarget {
  try {
    return resolve(fs, target);
  } catch (error) {
    throw refusedPath(error, target) ?? error;
  }
}

function resolve(fs: WriterFs, target: string): ResolvedTarget {
  const missing: string[] = [];
  let existing = target;
  let stats: Stats | undefined;
  for (;;) {
    stats = lstatOrUndefined(fs, existing);
    if (stats || dirname(existing) === existing) break;
    missing.unshift(basename(existing));
    existing = dirname(existing);
  }
  if (stats?.isSymbolicLink()) {
    // Follow a link the user named (or that lies above it), but a dangling one is a conflict.
    try {
      stats = fs.lstatSync(realPath(fs, existing));
    } catch {
      throw new ConflictError(`Target ${shownPath(existing)} is a symbolic link to a missing path. Remove the link or choose another directory.`);
    }
  }
  if (missing.length > 0 && stats && !stats.isDirectory()) {
    throw new ConflictError(`Cannot create ${shownPath(target)}: ${shownPath(existing)} is not a directory.`);
  }
  const realExisting = realPath(fs, existing);
  const root = missing.length > 0 ? join(realExisting, ...missing) : realExisting;
  if (root.split(sep).some((part) => part.toLowerCase() === '.git')) {
    throw new ConflictError(`Refusing to write into ${shownPath(root)}: it is inside a .git directory, which only git may change.`);
  }
  const parent = dirname(root);
  const missingParents = missing.slice(0, -1).map((_, index) => join(realExisting, ...missing.slice(0, index + 1)));
  if (missing.length > 0) return { root, parent, missingParents, state: { kind: 'missing' } };
  if (kindOf(stats) !== 'directory') return { root, parent, missingParents, state: { kind: 'not-a-directory' } };
  return { root, parent, missingParents, state: directoryState(fs, root) };
}

/** Entries of the target other than mlforge's own lock decide whether it is empty. */
export function directoryState(fs: WriterFs, root: string): TargetState {
  const entries = fs
    .readdirSync(root)
    .map(String)
    .filter((name) => name !== leftoverNames.lockInside)
    .sort();
  return entries.length === 0 ? { kind: 'empty-directory' } : { kind: 'non-empty-directory', entries };
}

/** Only the state, for callers that need nothing else. */
export async function inspectTarget(target: string, fs: WriterFs = realFs): Promise<TargetState> {
  return resolveTarget(fs, target).state;
}
