// The one writer. A new directory is staged in a hidden temporary sibling and
// renamed into place, so a failure or an interrupt leaves nothing behind. With
// --force into an existing directory, only planned files are written, nothing
// is deleted, every overwritten file is reported, and a failure or interrupt
// restores every file and directory as it was.
//
// File-system calls are synchronous on purpose: a signal handler runs only
// between JavaScript turns, so it never races an operation still in flight
// (an async mkdir finishing after the cleanup would re-create what it removed).
// The only awaits are the `beforeFile` hook's, where no operation is pending.

import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConflictError, MlforgeError } from '../errors.js';
import type { Plan } from '../plan/plan-project.js';
import { inspectTarget, type TargetState } from './target-state.js';

/** The file-system calls the writer makes; tests inject failing ones. */
export type WriterFs = Pick<typeof nodeFs, 'mkdirSync' | 'writeFileSync' | 'chmodSync' | 'readFileSync' | 'statSync' | 'renameSync' | 'rmSync'>;

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
  /** The target directory did not exist (or was empty) and was created from a staged copy. */
  created: boolean;
  written: string[];
  overwritten: string[];
  unchanged: string[];
}

export class WriteError extends MlforgeError {}

/** Why the target cannot be written, or undefined (also used by `new` to refuse before asking). */
export function targetConflict(target: string, state: TargetState, force: boolean): ConflictError | undefined {
  if (state.kind === 'not-a-directory') {
    return new ConflictError(`Target ${target} exists and is not a directory. Choose another directory.`);
  }
  if (state.kind === 'non-empty-directory' && !force) {
    const shown = state.entries.slice(0, 5).join(', ') + (state.entries.length > 5 ? ', ...' : '');
    return new ConflictError(
      `Target ${target} is not empty (${shown}). Choose an empty or new directory, ` +
        'or pass --force to write the planned files into it (nothing is deleted; overwritten files are listed).',
    );
  }
  return undefined;
}

export async function writePlan(plan: Plan, target: string, options: WriteOptions): Promise<WriteResult> {
  const state = await inspectTarget(target);
  const conflict = targetConflict(target, state, options.force);
  if (conflict) throw conflict;
  if (state.kind === 'non-empty-directory') return mergeInto(plan, target, options);
  return stageAndRename(plan, target, options);
}

async function stageAndRename(plan: Plan, target: string, options: WriteOptions): Promise<WriteResult> {
  const fs = options.fs ?? nodeFs;
  const parent = dirname(target);
  const staging = join(parent, `.${basename(target)}.mlforge-${process.pid}-${randomBytes(4).toString('hex')}`);
  let createdParent: string | undefined;
  let done = false;
  const cleanup = () => {
    if (done) return [];
    done = true;
    return undo(fs, [staging, ...(createdParent ? [createdParent] : [])]);
  };
  const unregister = options.onInterrupt?.(cleanup) ?? (() => {});
  try {
    createdParent = fs.mkdirSync(parent, { recursive: true }) ?? undefined;
    fs.mkdirSync(staging, { mode: 0o755 });
    for (const [index, file] of plan.files.entries()) {
      await options.beforeFile?.(file.path, index);
      const destination = join(staging, file.path);
      fs.mkdirSync(dirname(destination), { recursive: true });
      writeWithMode(fs, destination, file.contents, file.mode);
    }
    fs.renameSync(staging, target);
    done = true;
  } catch (error) {
    throw asWriteError(error, target, cleanup());
  } finally {
    unregister();
  }
  return { target, created: true, written: plan.files.map((file) => file.path), overwritten: [], unchanged: [] };
}

async function mergeInto(plan: Plan, target: string, options: WriteOptions): Promise<WriteResult> {
  const fs = options.fs ?? nodeFs;
  // Check every path before writing anything, so a conflict stops the run with nothing changed.
  const existing = new Map<string, string>();
  for (const file of plan.files) {
    const parts = file.path.split('/');
    for (let depth = 1; depth < parts.length; depth++) {
      const ancestor = parts.slice(0, depth).join('/');
      const stats = statOrUndefined(fs, join(target, ancestor));
      if (stats && !stats.isDirectory()) {
        throw new ConflictError(`Cannot write ${file.path}: ${ancestor} in ${target} is a file, not a directory.`);
      }
    }
    const stats = statOrUndefined(fs, join(target, file.path));
    if (stats?.isDirectory()) throw new ConflictError(`Cannot write ${file.path}: it is a directory in ${target}.`);
    if (stats) existing.set(file.path, fs.readFileSync(join(target, file.path), 'utf8'));
  }
  const result: WriteResult = { target, created: false, written: [], overwritten: [], unchanged: [] };
  const changes = new MergeChanges(fs);
  const unregister = options.onInterrupt?.(() => changes.rollback()) ?? (() => {});
  try {
    // Phase 1: every new file goes to a temporary sibling. A full disk or a
    // read-only directory fails here, before any existing file is touched.
    for (const [index, file] of plan.files.entries()) {
      await options.beforeFile?.(file.path, index);
      const previous = existing.get(file.path);
      if (previous === file.contents) {
        result.unchanged.push(file.path);
        continue;
      }
      const destination = join(target, file.path);
      const created = fs.mkdirSync(dirname(destination), { recursive: true });
      if (created) changes.createdDirectories.push(created);
      const temporary = `${destination}.mlforge-${randomBytes(4).toString('hex')}`;
      changes.temporaries.push(temporary);
      writeWithMode(fs, temporary, file.contents, file.mode);
      changes.staged.push({ temporary, destination, existed: previous !== undefined });
      result.written.push(file.path);
      if (previous !== undefined) result.overwritten.push(file.path);
    }
    // Phase 2: renames only; each overwritten file is kept as a backup until all are in place.
    changes.commit();
  } catch (error) {
    throw asWriteError(error, target, changes.rollback());
  } finally {
    unregister();
  }
  return result;
}

function writeWithMode(fs: WriterFs, path: string, contents: string, mode: number): void {
  fs.writeFileSync(path, contents, { mode });
  fs.chmodSync(path, mode); // the mode given to writeFile is masked by the umask
}

/** What a --force merge changed so far, and how to undo it (also from a signal handler). */
class MergeChanges {
  createdDirectories: string[] = [];
  temporaries: string[] = [];
  staged: Array<{ temporary: string; destination: string; existed: boolean }> = [];
  private committed: Array<{ destination: string; backup: string | undefined }> = [];
  private finished = false;

  constructor(private readonly fs: WriterFs) {}

  commit(): void {
    for (const { temporary, destination, existed } of this.staged) {
      const backup = existed ? `${destination}.mlforge-backup-${randomBytes(4).toString('hex')}` : undefined;
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
    // The new files are all in place: backups are no longer needed (a leftover one is harmless).
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

function statOrUndefined(fs: WriterFs, path: string) {
  try {
    return fs.statSync(path);
  } catch (error) {
    if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}

function asWriteError(error: unknown, target: string, notUndone: string[] = []): Error {
  if (error instanceof MlforgeError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    ENOTDIR: 'a file stands where a directory must go',
    EEXIST: 'a file stands where a directory must go',
    EDQUOT: 'the disk quota is exceeded',
  };
  const reason = (code && reasons[code]) ?? (error as Error).message;
  const outcome =
    notUndone.length > 0 ? ` Some changes could not be undone; check these paths: ${notUndone.join(', ')}.` : ' Nothing was written.';
  return new WriteError(`Cannot write to ${target}: ${reason} (${(error as Error).message}).${outcome}`, { cause: error });
}
