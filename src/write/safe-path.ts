// Safe primitives for writing below one target directory. Every path is
// relative to the target's real path; each existing component is checked
// with lstat, so a symlink, a file or a special file standing on the way is a
// conflict instead of something to follow. Files are created with O_EXCL |
// O_NOFOLLOW under a temporary name and renamed into place, and the parent's
// real path is checked again right before the rename. `new --force` and the
// commands that update a project (write, delete, rename one path) go through
// these functions.
//
// What remains: a process that swaps a checked directory for a symlink
// between the final realpath check and the rename (microseconds) could still
// redirect one file; Node has no openat() to close that window.

import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs';
import type { Stats } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { ConflictError, UsageError } from '../errors.js';

const { O_WRONLY, O_RDONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = nodeFs.constants;

/** The file-system calls the writer makes; tests inject failing ones. */
export type WriterFs = Pick<
  typeof nodeFs,
  | 'mkdirSync'
  | 'openSync'
  | 'writeSync'
  | 'closeSync'
  | 'fstatSync'
  | 'readFileSync'
  | 'lstatSync'
  | 'realpathSync'
  | 'renameSync'
  | 'rmSync'
  | 'unlinkSync'
  | 'rmdirSync'
  | 'readdirSync'
>;

export const realFs: WriterFs = nodeFs;

/** Shown in messages: a path with control characters escaped. */
export function shownPath(path: string): string {
  return path.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, (char) => `\\u${char.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** Rejects a planned relative path that could leave the target or touch `.git`. */
export function checkRelativePath(relative: string): string[] {
  const parts = relative.split('/');
  if (relative === '' || relative.startsWith('/') || relative.includes('\0') || relative.includes('\\')) {
    throw new UsageError(`Refusing path "${shownPath(relative)}": a planned path must be relative, with "/" separators and no NUL.`);
  }
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..') {
      throw new UsageError(`Refusing path "${shownPath(relative)}": empty, "." and ".." components are not allowed.`);
    }
    if (part.toLowerCase() === '.git') {
      throw new ConflictError(`Refusing to write "${shownPath(relative)}": mlforge never writes into a .git directory.`);
    }
  }
  return parts;
}

export type PathKind = 'missing' | 'file' | 'directory' | 'symlink' | 'special';

export function kindOf(stats: Stats | undefined): PathKind {
  if (!stats) return 'missing';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isDirectory()) return 'directory';
  if (stats.isFile()) return 'file';
  return 'special';
}

export function lstatOrUndefined(fs: WriterFs, path: string): Stats | undefined {
  try {
    return fs.lstatSync(path);
  } catch (error) {
    // ENOTDIR: a component above is not a directory, so nothing stands at this path.
    if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}

const describeKind: Record<PathKind, string> = {
  missing: 'missing',
  file: 'a file, not a directory',
  directory: 'a directory',
  symlink: 'a symbolic link (mlforge never follows links inside the target)',
  special: 'a special file (FIFO, socket or device)',
};

/**
 * Checks the directories on the way to `relative` (each lstat'ed once per
 * `cache`): each must be missing or a real directory. Returns the kind of the
 * final component.
 */
export function inspectRelative(fs: WriterFs, root: string, relative: string, cache = new Map<string, PathKind>()): PathKind {
  const parts = checkRelativePath(relative);
  for (let depth = 1; depth < parts.length; depth++) {
    const ancestor = parts.slice(0, depth).join('/');
    let kind = cache.get(ancestor);
    if (kind === undefined) {
      kind = kindOf(lstatOrUndefined(fs, join(root, ancestor)));
      cache.set(ancestor, kind);
    }
    if (kind === 'missing') {
      // Nothing deeper can exist: record it so the rest of this subtree costs no syscall.
      for (let deeper = depth + 1; deeper <= parts.length; deeper++) cache.set(parts.slice(0, deeper).join('/'), 'missing');
      return 'missing';
    }
    if (kind !== 'directory') {
      throw new ConflictError(`Cannot write ${shownPath(relative)}: ${shownPath(ancestor)} in ${shownPath(root)} is ${describeKind[kind]}.`);
    }
  }
  let kind = cache.get(relative);
  if (kind === undefined) {
    kind = kindOf(lstatOrUndefined(fs, join(root, relative)));
    cache.set(relative, kind);
  }
  return kind;
}

/** Throws unless `path`'s real location is `root` or below it (`root` must be a real path). */
export function assertInsideTarget(fs: WriterFs, root: string, path: string): void {
  const real = realPath(fs, path);
  if (real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep)) {
    throw new ConflictError(`Refusing to write ${shownPath(path)}: it resolves to ${shownPath(real)}, outside the target ${shownPath(root)}.`);
  }
}

/** realpath(3) in one call where Node offers it (the JS fallback lstats every component). */
export function realPath(fs: WriterFs, path: string): string {
  return (fs.realpathSync.native ?? fs.realpathSync)(path);
}

/** Creates each missing directory of `relative`'s parents (one mkdir each), refusing anything but real directories. */
export function ensureParents(fs: WriterFs, root: string, relative: string, cache: Map<string, PathKind>, created?: string[]): void {
  const parts = checkRelativePath(relative);
  for (let depth = 1; depth < parts.length; depth++) {
    const ancestor = parts.slice(0, depth).join('/');
    const kind = cache.get(ancestor) ?? kindOf(lstatOrUndefined(fs, join(root, ancestor)));
    if (kind === 'missing') {
      fs.mkdirSync(join(root, ancestor), 0o777); // the umask applies, as with mkdir(1)
      created?.push(ancestor);
    } else if (kind !== 'directory') {
      throw new ConflictError(`Cannot write ${shownPath(relative)}: ${shownPath(ancestor)} in ${shownPath(root)} is ${describeKind[kind]}.`);
    }
    cache.set(ancestor, 'directory');
  }
}

/** The mode to create a file with: like git, 0666 or 0777, narrowed by the user's umask. */
export function creationMode(mode: number): number {
  return mode & 0o111 ? 0o777 : 0o666;
}

/** Creates `path` exclusively (never through a link) and writes `contents`. */
export function createFileExclusive(fs: WriterFs, path: string, contents: string | Uint8Array, mode: number): void {
  const fd = fs.openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, creationMode(mode));
  try {
    const buffer = typeof contents === 'string' ? Buffer.from(contents) : contents;
    let offset = 0;
    while (offset < buffer.length) offset += fs.writeSync(fd, buffer, offset, buffer.length - offset);
  } finally {
    fs.closeSync(fd);
  }
}

export function temporaryName(path: string): string {
  return `${path}.mlforge-${randomBytes(4).toString('hex')}`;
}

/** Reads a regular file without following a link and without blocking on a FIFO or device. */
export function readRegularFile(fs: WriterFs, path: string, maxBytes = 64 * 1024 * 1024): Buffer {
  const fd = fs.openSync(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  try {
    const stats = fs.fstatSync(fd);
    if (!stats.isFile()) throw new ConflictError(`Refusing to read ${shownPath(path)}: it is not a regular file.`);
    if (stats.size > maxBytes) throw new ConflictError(`Refusing to read ${shownPath(path)}: larger than ${maxBytes} bytes.`);
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes one file at `relative` below `root` (a real path): parents are
 * created as needed, an existing regular file is replaced atomically, any
 * other kind of entry in the way is a conflict.
 */
export function safeWriteFile(root: string, relative: string, contents: string | Uint8Array, mode: 0o644 | 0o755, fs: WriterFs = realFs): void {
  const cache = new Map<string, PathKind>();
  const kind = inspectRelative(fs, root, relative, cache);
  if (kind !== 'missing' && kind !== 'file') {
    throw new ConflictError(`Cannot write ${shownPath(relative)}: it is ${describeKind[kind]} in ${shownPath(root)}.`);
  }
  ensureParents(fs, root, relative, cache);
  const destination = join(root, relative);
  const temporary = temporaryName(destination);
  createFileExclusive(fs, temporary, contents, mode);
  try {
    assertInsideTarget(fs, root, dirname(destination));
    const now = kindOf(lstatOrUndefined(fs, destination));
    if (now !== 'missing' && now !== 'file') throw new ConflictError(`Cannot write ${shownPath(relative)}: it became ${describeKind[now]}.`);
    fs.renameSync(temporary, destination);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/** Deletes the regular file at `relative` (a link, directory or special file there is a conflict). */
export function safeDeleteFile(root: string, relative: string, fs: WriterFs = realFs): void {
  const kind = inspectRelative(fs, root, relative);
  if (kind === 'missing') return;
  if (kind !== 'file') throw new ConflictError(`Cannot delete ${shownPath(relative)}: it is ${describeKind[kind]} in ${shownPath(root)}.`);
  assertInsideTarget(fs, root, dirname(join(root, relative)));
  fs.unlinkSync(join(root, relative));
}

/** Renames the regular file `from` to `to`, both below `root`; `to` must be missing or a regular file. */
export function safeRenameFile(root: string, from: string, to: string, fs: WriterFs = realFs): void {
  const cache = new Map<string, PathKind>();
  const source = inspectRelative(fs, root, from, cache);
  if (source !== 'file') throw new ConflictError(`Cannot rename ${shownPath(from)}: it is ${describeKind[source]} in ${shownPath(root)}.`);
  const destination = inspectRelative(fs, root, to, cache);
  if (destination !== 'missing' && destination !== 'file') {
    throw new ConflictError(`Cannot rename onto ${shownPath(to)}: it is ${describeKind[destination]} in ${shownPath(root)}.`);
  }
  ensureParents(fs, root, to, cache);
  assertInsideTarget(fs, root, dirname(join(root, from)));
  assertInsideTarget(fs, root, dirname(join(root, to)));
  fs.renameSync(join(root, from), join(root, to));
}

export { describeKind };
