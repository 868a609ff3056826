// The one writer. A new directory is staged in a hidden temporary sibling and
// renamed into place, so a failure or an interrupt leaves nothing behind. With
// --force into an existing directory, only planned files are written (each
// atomically), nothing is deleted, and every overwritten file is reported.

import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConflictError, MlforgeError } from '../errors.js';
import type { Plan } from '../plan/plan-project.js';
import { inspectTarget } from './target-state.js';

/** The file-system calls the writer makes; tests inject failing ones. */
export type WriterFs = Pick<typeof nodeFs, 'mkdir' | 'writeFile' | 'rename' | 'rm' | 'chmod' | 'readFile' | 'stat'>;

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

export async function writePlan(plan: Plan, target: string, options: WriteOptions): Promise<WriteResult> {
  const state = await inspectTarget(target);
  if (state.kind === 'not-a-directory') {
    throw new ConflictError(`Target ${target} exists and is not a directory. Choose another directory.`);
  }
  if (state.kind === 'non-empty-directory') {
    if (!options.force) {
      const shown = state.entries.slice(0, 5).join(', ') + (state.entries.length > 5 ? ', ...' : '');
      throw new ConflictError(
        `Target ${target} is not empty (${shown}). Choose an empty or new directory, ` +
          'or pass --force to write the planned files into it (nothing is deleted; overwritten files are listed).',
      );
    }
    return mergeInto(plan, target, options);
  }
  return stageAndRename(plan, target, options);
}

async function stageAndRename(plan: Plan, target: string, options: WriteOptions): Promise<WriteResult> {
  const fs = options.fs ?? nodeFs;
  const parent = dirname(target);
  const createdParent = await mkdirReportingTop(fs, parent);
  const staging = join(parent, `.${basename(target)}.mlforge-${process.pid}-${randomBytes(4).toString('hex')}`);
  let done = false;
  const cleanupSync = () => {
    if (done) return;
    rmSync(staging, { recursive: true, force: true });
    if (createdParent) rmSync(createdParent, { recursive: true, force: true });
  };
  const unregister = options.onInterrupt?.(cleanupSync) ?? (() => {});
  try {
    await fs.mkdir(staging, { recursive: false, mode: 0o755 });
    for (const [index, file] of plan.files.entries()) {
      await options.beforeFile?.(file.path, index);
      const destination = join(staging, file.path);
      await fs.mkdir(dirname(destination), { recursive: true });
      await fs.writeFile(destination, file.contents, { mode: file.mode });
      await fs.chmod(destination, file.mode); // writeFile's mode is masked by the umask
    }
    await fs.rename(staging, target);
    done = true;
  } catch (error) {
    cleanupSync();
    throw asWriteError(error, target);
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
      const stats = await statOrUndefined(fs, join(target, ancestor));
      if (stats && !stats.isDirectory()) {
        throw new ConflictError(`Cannot write ${file.path}: ${ancestor} in ${target} is a file, not a directory.`);
      }
    }
    const stats = await statOrUndefined(fs, join(target, file.path));
    if (stats?.isDirectory()) throw new ConflictError(`Cannot write ${file.path}: it is a directory in ${target}.`);
    if (stats) existing.set(file.path, await fs.readFile(join(target, file.path), 'utf8'));
  }
  const result: WriteResult = { target, created: false, written: [], overwritten: [], unchanged: [] };
  for (const [index, file] of plan.files.entries()) {
    await options.beforeFile?.(file.path, index);
    const previous = existing.get(file.path);
    if (previous === file.contents) {
      result.unchanged.push(file.path);
      continue;
    }
    const destination = join(target, file.path);
    const temporary = `${destination}.mlforge-${randomBytes(4).toString('hex')}`;
    try {
      await fs.mkdir(dirname(destination), { recursive: true });
      await fs.writeFile(temporary, file.contents, { mode: file.mode });
      await fs.chmod(temporary, file.mode);
      await fs.rename(temporary, destination);
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw asWriteError(error, target, result);
    }
    result.written.push(file.path);
    if (previous !== undefined) result.overwritten.push(file.path);
  }
  return result;
}

async function statOrUndefined(fs: WriterFs, path: string) {
  try {
    return await fs.stat(path);
  } catch (error) {
    if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}

/** mkdir -p that returns the top-most directory it created, so a failure can remove it. */
async function mkdirReportingTop(fs: WriterFs, dir: string): Promise<string | undefined> {
  try {
    return (await fs.mkdir(dir, { recursive: true })) ?? undefined;
  } catch (error) {
    throw asWriteError(error, dir);
  }
}

function asWriteError(error: unknown, target: string, partial?: WriteResult): Error {
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
  const written = partial && partial.written.length > 0
    ? ` Files already written before the failure: ${partial.written.join(', ')}.`
    : ' Nothing was written.';
  return new WriteError(`Cannot write to ${target}: ${reason} (${(error as Error).message}).${written}`, { cause: error });
}
