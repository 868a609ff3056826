// Applies an update's change set (writes and deletions of relative paths
// inside one repository) all or nothing. Phase 1 writes every new file into a
// hidden staging folder (a full disk fails here, before anything is touched);
// phase 2 only renames: each replaced or deleted file goes to the staging
// folder as a backup, each new file into place. A failure or SIGINT/SIGTERM in
// between renames everything back. File-system calls are synchronous so a
// signal handler never races one in flight (as in src/write/write-plan.ts).
// One function on purpose: the symlink-safe primitives of src/write/ can
// replace its internals without touching callers.

import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { ConflictError } from '../errors.js';
import { WriteError } from '../write/write-plan.js';
import type { Change } from './classify.js';

export type ApplyFs = Pick<
  typeof nodeFs,
  'mkdirSync' | 'writeFileSync' | 'chmodSync' | 'lstatSync' | 'statSync' | 'renameSync' | 'rmSync' | 'rmdirSync' | 'readdirSync'
>;

export interface ApplyOptions {
  fs?: ApplyFs;
  /** Awaited before each operation: progress, and tests' fault injection and interrupt timing. */
  beforeStep?: (path: string, index: number) => Promise<void> | void;
  /** Registers a synchronous undo for SIGINT/SIGTERM; returns an unregister function. */
  onInterrupt?: (undo: () => void) => () => void;
}

export async function applyChanges(target: string, changes: readonly Change[], options: ApplyOptions = {}): Promise<void> {
  const fs = options.fs ?? nodeFs;
  for (const change of changes) checkPath(fs, target, change);
  const staging = stagingDir(fs, target);
  const journal: Array<{ path: string; backup?: string; placed: boolean }> = [];
  const createdDirs: string[] = [];
  let finished = false;
  const rollback = (): string[] => {
    if (finished) return [];
    finished = true;
    const failed: string[] = [];
    for (const entry of [...journal].reverse()) {
      try {
        if (entry.placed) fs.rmSync(join(target, entry.path), { force: true });
        if (entry.backup) fs.renameSync(entry.backup, join(target, entry.path));
      } catch {
        failed.push(entry.path);
      }
    }
    for (const dir of createdDirs.reverse()) {
      try {
        fs.rmdirSync(dir);
      } catch {
        // not empty (someone else's file) or already gone: leave it
      }
    }
    fs.rmSync(staging, { recursive: true, force: true });
    return failed;
  };
  const unregister = options.onInterrupt?.(() => void rollback()) ?? (() => {});
  try {
    fs.mkdirSync(join(staging, 'new'), { recursive: true, mode: 0o700 });
    fs.mkdirSync(join(staging, 'old'), { mode: 0o700 });
    const staged = new Map<number, string>();
    for (const [index, change] of changes.entries()) {
      if (change.kind !== 'write') continue;
      await options.beforeStep?.(change.path, index);
      const file = join(staging, 'new', String(index));
      fs.writeFileSync(file, change.contents, { mode: change.mode });
      fs.chmodSync(file, change.mode); // writeFile's mode is masked by the umask
      staged.set(index, file);
    }
    for (const [index, change] of changes.entries()) {
      await options.beforeStep?.(change.path, index);
      const destination = join(target, change.path);
      const entry: { path: string; backup?: string; placed: boolean } = { path: change.path, placed: false };
      journal.push(entry);
      if (exists(fs, destination)) {
        const backup = join(staging, 'old', String(index));
        fs.renameSync(destination, backup);
        entry.backup = backup;
      }
      if (change.kind === 'write') {
        const created = fs.mkdirSync(dirname(destination), { recursive: true });
        if (created) createdDirs.push(...ancestorsCreated(created, dirname(destination)));
        fs.renameSync(staged.get(index)!, destination);
        entry.placed = true;
      }
    }
    finished = true;
  } catch (error) {
    throw asApplyError(error, target, rollback());
  } finally {
    unregister();
  }
  fs.rmSync(staging, { recursive: true, force: true });
  for (const change of changes) if (change.kind === 'delete') removeEmptyParents(fs, target, change.path);
}

/** Refuses absolute or escaping paths, and symlinks or files standing where a folder must be. */
function checkPath(fs: ApplyFs, target: string, change: Change): void {
  const path = change.path;
  if (isAbsolute(path) || normalize(path).split(sep).includes('..') || path.includes('\0')) {
    throw new ConflictError(`Refusing to write ${JSON.stringify(path)}: not a relative path inside ${target}.`);
  }
  const parts = path.split('/');
  for (let depth = 1; depth <= parts.length; depth++) {
    const partial = parts.slice(0, depth).join('/');
    let stats: nodeFs.Stats;
    try {
      stats = fs.lstatSync(join(target, partial));
    } catch {
      return; // absent from here down: created fresh
    }
    if (stats.isSymbolicLink()) throw new ConflictError(`Refusing to write ${path}: ${partial} in ${target} is a symbolic link.`);
    if (depth < parts.length && !stats.isDirectory()) throw new ConflictError(`Cannot write ${path}: ${partial} in ${target} is a file, not a folder.`);
    if (depth === parts.length && !stats.isFile()) throw new ConflictError(`Cannot write ${path}: it is not a regular file in ${target}.`);
  }
}

/** A hidden sibling of the repository (same file system, so renames are atomic), else a hidden folder inside it. */
function stagingDir(fs: ApplyFs, target: string): string {
  const name = `.${basename(target)}.mlforge-update-${process.pid}-${randomBytes(4).toString('hex')}`;
  const parent = dirname(target);
  try {
    if (fs.statSync(parent).dev === fs.statSync(target).dev) return join(parent, name);
  } catch {
    // fall through
  }
  return join(target, name);
}

function ancestorsCreated(first: string, last: string): string[] {
  const dirs: string[] = [];
  for (let dir = last; dir.length >= first.length; dir = dirname(dir)) dirs.unshift(dir);
  return dirs;
}

function exists(fs: ApplyFs, path: string): boolean {
  try {
    fs.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function removeEmptyParents(fs: ApplyFs, target: string, path: string): void {
  for (let dir = dirname(path); dir !== '.' && dir !== ''; dir = dirname(dir)) {
    try {
      if (fs.readdirSync(join(target, dir)).length > 0) return;
      fs.rmdirSync(join(target, dir));
    } catch {
      return;
    }
  }
}

function asApplyError(error: unknown, target: string, notRestored: string[]): Error {
  if (error instanceof ConflictError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is exceeded',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
  };
  const reason = (code && reasons[code]) ?? (error as Error).message;
  const outcome =
    notRestored.length > 0
      ? ` These files could not be restored; check them: ${notRestored.join(', ')}.`
      : ' Nothing was changed: every file is as it was.';
  return new WriteError(`Cannot update ${target}: ${reason} (${(error as Error).message}).${outcome}`, { cause: error });
}
