// Reads one file of a checked repository without trusting it: never through a
// symlink (O_NOFOLLOW), never blocking on a FIFO or device (O_NONBLOCK, then
// fstat must say "regular file"), and never more than maxFileBytes.

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Largest file doctor reads; generated files are far smaller (the biggest, a dashboard, is ~60 kB). */
export const maxFileBytes = 2 * 1024 * 1024;

export class UnsafeFileError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'UnsafeFileError';
  }
}

export async function readFileSafely(absolute: string, shown: string, limit = maxFileBytes): Promise<Buffer> {
  let handle;
  try {
    handle = await open(absolute, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new UnsafeFileError(shown, 'is a symbolic link; doctor does not follow links');
    throw new UnsafeFileError(shown, `cannot be opened (${code ?? (error as Error).message})`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new UnsafeFileError(shown, `is ${kindOf(stats)}, not a regular file; doctor did not read it`);
    if (stats.size > limit) throw new UnsafeFileError(shown, `is ${stats.size} bytes, over doctor's limit of ${limit} bytes; doctor did not read it`);
    const buffer = Buffer.alloc(Math.min(stats.size, limit) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > limit) throw new UnsafeFileError(shown, `grew past doctor's limit of ${limit} bytes while being read`);
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

export function kindOf(stats: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): string {
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}
