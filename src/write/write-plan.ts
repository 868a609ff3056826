// The one writer. Every path stays inside the target's real path (see
// safe-path.ts); one run per target holds a lock (lock.ts); leftovers of a
// killed run are cleaned first (leftovers.ts).
//
// - A new directory is staged in a hidden temporary sibling and renamed into
//   place, so a failure or an interrupt leaves nothing behind.
// - An existing empty directory (`new .`, a mount point, a directory whose
//   parent is not writable) is filled in place: staged in a hidden directory
//   inside it, then each top-level entry is renamed in; the directory keeps
//   its inode, owner and mode.
// - With --force into a non-empty directory, only planned files are written,
//   nothing is deleted, every overwritten file is reported, and a failure or
//   interrupt restores every file and directory as it was.
//
// Files and directories are created with 0666/0777 (0777 for executables) and
// the user's umask applies, as with git and cp: no chmod afterwards.
//
// File-system calls are synchronous on purpose: a signal handler runs only
// between JavaScript turns, so it never races an operation still in flight.
// The only awaits are the `beforeFile` hook's, where no operation is pending.

import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { ConflictError, MlforgeError } from '../errors.js';
import type { Plan, PlannedFile } from '../plan/plan-project.js';
import { findMlforgeLeftovers, leftoverMeaning, leftoverNames, processAlive, type Leftover } from './leftovers.js';
import { acquireLock, type Lock } from './lock.js';
import {
  assertInsideTarget,
  checkRelativePath,
  createFileExclusive,
  describeKind,
  ensureParents,
  inspectRelative,
  kindOf,
  lstatOrUndefined,
  readRegularFile,
  realFs,
  realPath,
  shownPath,
  temporaryName,
  type PathKind,
  type WriterFs,
} from './safe-path.js';
import { directoryState, refusedPath, resolveTarget, type ResolvedTarget, type TargetState } from './target-state.js';

export type { WriterFs } from './safe-path.js';

export interface WriteOptions {
  force: boolean;
  fs?: WriterFs;
  /** Called before each file; the CLI uses it for progress and tests for fault injection. */
  beforeFile?: (path: string, index: number) => Promise<void> | void;
  /** Registers a synchronous cleanup to run if the process is interrupted; returns an unregister function. */
  onInterrupt?: (cleanup: () => void) => () => void;
}

export interface WriteResult {
  target: string;
  /** The target directory did not exist (or was empty) and now holds the planned files. */
  created: boolean;
  written: string[];
  overwritten: string[];
  unchanged: string[];
  /** Leftovers of an earlier, killed run: removed ones, and kept ones with what they are. */
  leftovers?: { removed: string[]; kept: Array<{ path: string; meaning: string }> };
}

export class WriteError extends MlforgeError {}

/** What a real run would do, checked without writing anything (`--dry-run`, and the writer's own pre-check). */
export interface Preflight {
  resolved: ResolvedTarget;
  mode: 'new' | 'in-place' | 'merge';
  /** Existing contents of planned files (merge only). */
  existing: Map<string, Buffer>;
  /** Kinds of the paths the pre-check looked at, so the write does not lstat them again. */
  cache: Map<string, PathKind>;
  written: string[];
  overwritten: string[];
  unchanged: string[];
}

export async function writePlan(plan: Plan, target: string, options: WriteOptions): Promise<WriteResult> {
  const fs = options.fs ?? realFs;
  for (const file of plan.files) checkRelativePath(file.path);
  const resolved = resolveOrExplain(fs, target);
  if (resolved.state.kind === 'not-a-directory') throw notADirectory(target);
  const createdParent = createParents(fs, resolved, target);
  let lock: Lock | undefined;
  const releaseAll = () => {
    lock?.release();
    if (createdParent) removeQuietly(fs, createdParent);
  };
  const unregisterLock = options.onInterrupt?.(releaseAll) ?? (() => {});
  let succeeded = false;
  try {
    lock = acquireLock(resolved.root, resolved.state.kind !== 'missing');
    const leftovers = cleanLeftovers(fs, resolved, options.force, lock);
    // Re-read the state under the lock: another run may have finished meanwhile.
    const current = resolveTarget(fs, target);
    if (current.state.kind === 'not-a-directory') throw notADirectory(target);
    const preflight = checkPlan(fs, plan, current, options.force);
    const result =
      preflight.mode === 'new'
        ? await stageAndRename(fs, plan, preflight, options)
        : preflight.mode === 'in-place'
          ? await fillInPlace(fs, plan, preflight, options)
          : await mergeInto(fs, plan, preflight, options);
    succeeded = true;
    return { ...result, target, ...(leftovers.removed.length + leftovers.kept.length > 0 ? { leftovers } : {}) };
  } catch (error) {
    throw asWriteError(error, target);
  } finally {
    unregisterLock();
    lock?.release();
    if (!succeeded && createdParent) removeQuietly(fs, createdParent);
  }
}

/** The verdict of a real run, without writing: conflicts throw exactly as they would. */
export function previewWrite(plan: Plan, target: string, options: { force: boolean; fs?: WriterFs }): Preflight {
  const fs = options.fs ?? realFs;
  for (const file of plan.files) checkRelativePath(file.path);
  const resolved = resolveOrExplain(fs, target);
  if (resolved.state.kind === 'not-a-directory') throw notADirectory(target);
  try {
    return checkPlan(fs, plan, resolved, options.force);
  } catch (error) {
    throw asWriteError(error, target);
  }
}

/** resolveTarget, with a refusal of the file system (permission denied, I/O error) as a clear WriteError. */
function resolveOrExplain(fs: WriterFs, target: string): ResolvedTarget {
  try {
    return resolveTarget(fs, target);
  } catch (error) {
    throw asWriteError(error, target);
  }
}

function notADirectory(target: string): ConflictError {
  return new ConflictError(`Target ${shownPath(target)} exists and is not a directory. Choose another directory.`);
}

function notEmpty(root: string, entries: readonly string[]): ConflictError {
  const shown = entries.slice(0, 5).map(shownPath).join(', ') + (entries.length > 5 ? ', ...' : '');
  return new ConflictError(
    `Target ${shownPath(root)} is not empty (${shown}). Choose an empty or new directory, ` +
      'or pass --force to write the planned files into it (nothing is deleted; overwritten files are listed).',
  );
}

/** Why the target cannot be written, or undefined: `new` asks this as soon as the target is known, before more questions. */
export function targetConflict(target: string, state: TargetState, force: boolean): ConflictError | undefined {
  if (state.kind === 'not-a-directory') return notADirectory(target);
  if (state.kind === 'non-empty-directory' && !force) return notEmpty(target, state.entries);
  return undefined;
}

function checkPlan(fs: WriterFs, plan: Plan, resolved: ResolvedTarget, force: boolean): Preflight {
  const paths = plan.files.map((file) => file.path);
  const base = { resolved, existing: new Map<string, Buffer>(), cache: new Map<string, PathKind>(), overwritten: [], unchanged: [] };
  const { state, root } = resolved;
  if (state.kind === 'missing') return { ...base, mode: 'new', written: paths };
  if (state.kind === 'empty-directory') return { ...base, mode: 'in-place', written: paths };
  if (state.kind !== 'non-empty-directory') throw notADirectory(root);
  if (!force) throw notEmpty(root, state.entries);
  // Check every path before writing anything, so a conflict stops the run with nothing changed.
  const cache = new Map<string, PathKind>();
  const existing = new Map<string, Buffer>();
  const written: string[] = [];
  const overwritten: string[] = [];
  const unchanged: string[] = [];
  for (const file of plan.files) {
    const kind = inspectRelative(fs, root, file.path, cache);
    if (kind !== 'missing' && kind !== 'file') {
      throw new ConflictError(`Cannot write ${shownPath(file.path)}: it is ${describeKind[kind]} in ${shownPath(root)}.`);
    }
    if (kind === 'file') {
      const previous = readRegularFile(fs, join(root, file.path));
      existing.set(file.path, previous);
      if (previous.equals(Buffer.from(file.contents))) {
        unchanged.push(file.path);
        continue;
      }
      overwritten.push(file.path);
    }
    written.push(file.path);
  }
  return { resolved, mode: 'merge', existing, cache, written, overwritten, unchanged };
}

/** mkdir -p of the target's missing parents; returns the outermost one created, for cleanup. */
function createParents(fs: WriterFs, resolved: ResolvedTarget, target: string): string | undefined {
  let first: string | undefined;
  try {
    for (const parent of resolved.missingParents) {
      fs.mkdirSync(parent, 0o777);
      first ??= parent;
    }
  } catch (error) {
    if (first) removeQuietly(fs, first);
    throw refusedPath(error, target) ?? asWriteError(error, target);
  }
  return first;
}

/**
 * Removes leftovers of dead runs on this target (we hold its lock); keeps backups and says what they are.
 * A staging sibling exists only while its run holds the sibling lock, so a killed run leaves both: the
 * parent is listed only when this run took over such a stale lock, and a crowded parent costs nothing
 * otherwise.
 */
function cleanLeftovers(fs: WriterFs, resolved: ResolvedTarget, force: boolean, lock: Lock): NonNullable<WriteResult['leftovers']> {
  const removed: string[] = [];
  const kept: Array<{ path: string; meaning: string }> = [];
  const base = basename(resolved.root);
  const stale = (leftover: Leftover) => leftover.pid === undefined || !processAlive(leftover.pid) || leftover.pid === process.pid;
  const siblingLock = dirname(lock.path) === resolved.parent;
  const siblings = (lock.tookOverStale && siblingLock ? findMlforgeLeftovers(resolved.parent, { fs }) : []).filter(
    (leftover) => leftover.kind === 'staging-directory' && leftover.path.startsWith(`.${base}.mlforge-`) && stale(leftover),
  );
  for (const leftover of siblings) {
    fs.rmSync(join(resolved.parent, leftover.path), { recursive: true, force: true });
    removed.push(join(resolved.parent, leftover.path));
  }
  if (resolved.state.kind === 'missing') return { removed, kept };
  const inside = findMlforgeLeftovers(resolved.root, { fs, recursive: force && resolved.state.kind === 'non-empty-directory' });
  for (const leftover of inside) {
    const full = join(resolved.root, leftover.path);
    if (leftover.kind === 'lock-file') continue; // ours, or handled by the lock
    if (leftover.kind === 'backup-file') {
      kept.push({ path: full, meaning: leftoverMeaning[leftover.kind] });
      continue;
    }
    if (leftover.kind === 'staging-directory' && (!leftover.path.startsWith('.mlforge-staging-') || !stale(leftover))) continue;
    fs.rmSync(full, { recursive: true, force: true });
    removed.push(full);
  }
  if (removed.length > 0) resolved.state = directoryState(fs, resolved.root);
  return { removed, kept };
}

/** Writes every planned file below `dir`, a directory this run just created: one mkdir per directory, one exclusive create per file. */
async function writeTree(fs: WriterFs, dir: string, files: PlannedFile[], options: WriteOptions): Promise<void> {
  const made = new Set<string>();
  for (const [index, file] of files.entries()) {
    await options.beforeFile?.(file.path, index);
    const parts = file.path.split('/');
    for (let depth = 1; depth < parts.length; depth++) {
      const directory = parts.slice(0, depth).join('/');
      if (made.has(directory)) continue;
      fs.mkdirSync(join(dir, directory), 0o777);
      made.add(directory);
    }
    createFileExclusive(fs, join(dir, file.path), file.contents, file.mode);
  }
}

function token(): string {
  return randomBytes(4).toString('hex');
}

async function stageAndRename(fs: WriterFs, plan: Plan, preflight: Preflight, options: WriteOptions): Promise<Omit<WriteResult, 'target'>> {
  const { root, parent } = preflight.resolved;
  const staging = join(parent, leftoverNames.stagingSibling(basename(root), process.pid, token()));
  let done = false;
  const cleanup = () => {
    if (done) return [];
    done = true;
    return undo(fs, [staging]);
  };
  const unregister = options.onInterrupt?.(cleanup) ?? (() => {});
  try {
    fs.mkdirSync(staging, 0o777);
    await writeTree(fs, staging, plan.files, options);
    // The parent must still be where it was, and nothing may have appeared at the target.
    if (realPath(fs, parent) !== parent) throw new ConflictError(`The parent of ${shownPath(root)} moved during the write.`);
    const now = kindOf(lstatOrUndefined(fs, root));
    if (now !== 'missing') throw new ConflictError(`Something appeared at ${shownPath(root)} during the write (${describeKind[now]}).`);
    fs.renameSync(staging, root);
    done = true;
  } catch (error) {
    throw asWriteError(error, root, cleanup());
  } finally {
    unregister();
  }
  return { created: true, written: preflight.written, overwritten: [], unchanged: [] };
}

async function fillInPlace(fs: WriterFs, plan: Plan, preflight: Preflight, options: WriteOptions): Promise<Omit<WriteResult, 'target'>> {
  const { root } = preflight.resolved;
  const staging = join(root, leftoverNames.stagingInside(process.pid, token()));
  const moved: string[] = [];
  let done = false;
  const cleanup = () => {
    if (done) return [];
    done = true;
    return undo(fs, [...moved.map((name) => join(root, name)), staging]);
  };
  const unregister = options.onInterrupt?.(cleanup) ?? (() => {});
  try {
    fs.mkdirSync(staging, 0o777);
    await writeTree(fs, staging, plan.files, options);
    const topLevel = [...new Set(plan.files.map((file) => file.path.split('/')[0]!))];
    for (const name of topLevel) {
      const now = kindOf(lstatOrUndefined(fs, join(root, name)));
      if (now !== 'missing') throw new ConflictError(`${shownPath(name)} appeared in ${shownPath(root)} during the write (${describeKind[now]}).`);
      fs.renameSync(join(staging, name), join(root, name));
      moved.push(name);
    }
    fs.rmdirSync(staging);
    done = true;
  } catch (error) {
    throw asWriteError(error, root, cleanup());
  } finally {
    unregister();
  }
  return { created: true, written: preflight.written, overwritten: [], unchanged: [] };
}

async function mergeInto(fs: WriterFs, plan: Plan, preflight: Preflight, options: WriteOptions): Promise<Omit<WriteResult, 'target'>> {
  const { root } = preflight.resolved;
  const result = { created: false, written: [] as string[], overwritten: [] as string[], unchanged: [] as string[] };
  const changes = new MergeChanges(fs, root);
  const { cache } = preflight;
  const unregister = options.onInterrupt?.(() => changes.rollback()) ?? (() => {});
  try {
    // Phase 1: every new file goes to a temporary sibling. A full disk or a
    // read-only directory fails here, before any existing file is touched.
    for (const [index, file] of plan.files.entries()) {
      await options.beforeFile?.(file.path, index);
      const previous = preflight.existing.get(file.path);
      if (previous?.equals(Buffer.from(file.contents))) {
        result.unchanged.push(file.path);
        continue;
      }
      const created: string[] = [];
      try {
        ensureParents(fs, root, file.path, cache, created);
      } finally {
        changes.createdDirectories.push(...created.map((relative) => join(root, relative)));
      }
      const destination = join(root, file.path);
      const temporary = temporaryName(destination);
      changes.temporaries.push(temporary);
      createFileExclusive(fs, temporary, file.contents, file.mode);
      changes.staged.push({ temporary, destination, existed: previous !== undefined });
      result.written.push(file.path);
      if (previous !== undefined) result.overwritten.push(file.path);
    }
    // Phase 2: renames only; each overwritten file is kept as a backup until all are in place.
    changes.commit();
  } catch (error) {
    throw asWriteError(error, root, changes.rollback());
  } finally {
    unregister();
  }
  return result;
}

/** What a --force merge changed so far, and how to undo it (also from a signal handler). */
class MergeChanges {
  createdDirectories: string[] = [];
  temporaries: string[] = [];
  staged: Array<{ temporary: string; destination: string; existed: boolean }> = [];
  private committed: Array<{ destination: string; backup: string | undefined }> = [];
  private finished = false;

  constructor(
    private readonly fs: WriterFs,
    private readonly root: string,
  ) {}

  commit(): void {
    // Each directory is checked once more right before its files are renamed in:
    // rename never follows the final component, so this closes the way out.
    const checked = new Set<string>();
    for (const { destination } of this.staged) {
      const directory = dirname(destination);
      if (checked.has(directory)) continue;
      assertInsideTarget(this.fs, this.root, directory);
      checked.add(directory);
    }
    for (const { temporary, destination, existed } of this.staged) {
      const backup = existed ? `${destination}.mlforge-backup-${token()}` : undefined;
      if (backup) this.fs.renameSync(destination, backup);
      try {
        this.fs.renameSync(temporary, destination);
      } catch (error) {
        if (backup) this.fs.renameSync(backup, destination);
        throw error;
      }
      this.committed.push({ destination, backup });
    }
    this.finished = true;
    // The new files are all in place: backups are no longer needed (a leftover one is reported by the next run).
    for (const { backup } of this.committed) if (backup) undo(this.fs, [backup]);
  }

  /** Undoes every change, best effort; returns the paths it could not restore. */
  rollback(): string[] {
    if (this.finished) return [];
    this.finished = true;
    const failed: string[] = [];
    for (const { destination, backup } of this.committed.reverse()) {
      try {
        if (backup) this.fs.renameSync(backup, destination);
        else this.fs.rmSync(destination, { force: true });
      } catch {
        failed.push(destination);
      }
    }
    return [...failed, ...undo(this.fs, [...this.temporaries, ...this.createdDirectories.reverse()])];
  }
}

/** Removes paths recursively, best effort; returns those it could not remove. */
function undo(fs: WriterFs, paths: string[]): string[] {
  return paths.filter((path) => {
    try {
      fs.rmSync(path, { recursive: true, force: true });
      return false;
    } catch {
      return true;
    }
  });
}

function removeQuietly(fs: WriterFs, path: string): void {
  undo(fs, [path]);
}

function asWriteError(error: unknown, target: string, notUndone: string[] = []): Error {
  if (error instanceof MlforgeError) return error;
  const refused = refusedPath(error, target);
  if (refused) return refused;
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    ENOTDIR: 'a file stands where a directory must go',
    EEXIST: 'something appeared where a file or directory must go',
    EDQUOT: 'the disk quota is exceeded',
    EXDEV: 'the staging directory and the target are on different file systems',
    EMFILE: 'too many open files',
    EIO: 'an input/output error',
    EBUSY: 'the path is busy (a mount point?)',
  };
  const reason = (code && reasons[code]) ?? (error as Error).message;
  const outcome =
    notUndone.length > 0 ? ` Some changes could not be undone; check these paths: ${notUndone.map(shownPath).join(', ')}.` : ' Nothing was written.';
  const writeError = new WriteError(`Cannot write to ${shownPath(target)}: ${reason} (${(error as Error).message}).${outcome}`, { cause: error });
  // Something standing in the way is a conflict (exit 3), like the pre-check's verdict.
  return code === 'EEXIST' || code === 'ENOTDIR' ? new ConflictError(writeError.message, { cause: error }) : writeError;
}
