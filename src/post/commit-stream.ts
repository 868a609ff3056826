// The initial commit as one `git fast-import` stream: every file mlforge wrote,
// read back from the target (so the commit is what is on disk, executable bits
// included), under the identities git resolved. git writes it as one pack
// instead of a loose object per file and per directory, which is most of what
// `git add` and `git commit` cost.

import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CommitStreamInput {
  /** The work tree the files were written to. */
  directory: string;
  /** Paths relative to `directory`, "/"-separated (the plan's). */
  paths: readonly string[];
  /** `refs/heads/<branch>` of the new repository's unborn HEAD. */
  ref: string;
  /** `Name <email> <seconds> <±hhmm>`, as `git var GIT_AUTHOR_IDENT` prints it. */
  author: string;
  committer: string;
  message: string;
}

/** Thrown when a planned path is no longer a regular file of the target. */
export class ChangedFileError extends Error {}

/**
 * A path in fast-import's C-style quotes, as a latin1 string of the UTF-8 bytes: always quoted, so
 * no name can be read as a command; quotes, backslashes and control bytes escaped.
 */
export function quotePath(path: string): string {
  let quoted = '"';
  for (const byte of Buffer.from(path, 'utf8')) {
    if (byte === 0x22) quoted += '\\"';
    else if (byte === 0x5c) quoted += '\\\\';
    else if (byte === 0x0a) quoted += '\\n';
    else if (byte === 0x09) quoted += '\\t';
    else if (byte < 0x20 || byte === 0x7f) quoted += `\\${byte.toString(8).padStart(3, '0')}`;
    else quoted += String.fromCharCode(byte);
  }
  return `${quoted}"`;
}

/** Reads a regular file without following a symlink in its last component. */
function readRegular(directory: string, path: string): { contents: Buffer; executable: boolean } {
  let fd: number;
  try {
    fd = openSync(join(directory, path), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    throw new ChangedFileError(`${path} is no longer a regular file of the repository (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new ChangedFileError(`${path} is no longer a regular file of the repository`);
    // git records the owner's execute bit only: 100755 or 100644.
    return { contents: readFileSync(fd), executable: (stats.mode & 0o100) !== 0 };
  } finally {
    closeSync(fd);
  }
}

/** The stream: one commit (mark :1) holding every path, then `get-mark :1` (git prints the commit id) and `done`. */
export function commitStream(input: CommitStreamInput): Buffer {
  const message = Buffer.from(input.message, 'utf8');
  const parts: Buffer[] = [
    Buffer.from(`commit ${input.ref}\nmark :1\nauthor ${input.author}\ncommitter ${input.committer}\ndata ${message.length}\n`, 'utf8'),
    message,
    Buffer.from('\n'),
  ];
  for (const path of [...input.paths].sort()) {
    const { contents, executable } = readRegular(input.directory, path);
    parts.push(Buffer.from(`M ${executable ? '100755' : '100644'} inline `), Buffer.from(quotePath(path), 'latin1'), Buffer.from(`\ndata ${contents.length}\n`));
    parts.push(contents, Buffer.from('\n'));
  }
  parts.push(Buffer.from('\nget-mark :1\ndone\n'));
  return Buffer.concat(parts);
}
