// mlforge's own leftovers from a run that was killed (SIGKILL, power loss):
// the staging directory beside the target, temporary and backup files inside
// it, and lock files. Recognised only by their exact naming pattern and owner
// (the current user), never by a loose prefix; doctor names them and prints
// the command that removes them, and removes nothing itself (it is read-only).

import { lstat, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface Leftover {
  /** Absolute path. */
  path: string;
  what: string;
  /** The pid in the name, when the name has one. */
  pid?: number;
}

const hex8 = '[0-9a-f]{8}';
/** Inside the target: `<file>.mlforge-<hex8>` (a write in flight) and `<file>.mlforge-backup-<hex8>` (a file being replaced). */
const inTree = new RegExp(`\\.mlforge-(backup-)?${hex8}$`);
const lockName = /^(\.mlforge\.lock|.+\.mlforge-lock)$/;

/** Leftovers in the repository's tree (`files`, relative) and beside it, owned by this user and not in use by a live process. */
export async function findMlforgeLeftovers(root: string, files: readonly string[]): Promise<Leftover[]> {
  const found: Leftover[] = [];
  for (const file of files) {
    const match = inTree.exec(file);
    if (match) found.push({ path: join(root, file), what: match[1] ? 'a backup of a file an interrupted mlforge run was replacing' : 'a half-written file of an interrupted mlforge run' });
    else if (lockName.test(basename(file))) found.push({ path: join(root, file), what: 'a lock file of an mlforge run' });
  }
  const parent = dirname(root);
  const staging = new RegExp(`^\\.${escapeRegExp(basename(root))}\\.mlforge-(\\d+)-${hex8}$|^\\.mlforge-staging-.+$`);
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const match = staging.exec(name);
    if (!match) continue;
    const pid = match[1] ? Number(match[1]) : undefined;
    found.push({ path: join(parent, name), what: `the staging directory of an interrupted mlforge run${pid ? ` (process ${pid})` : ''}`, ...(pid ? { pid } : {}) });
  }
  const mine: Leftover[] = [];
  for (const leftover of found) {
    const stats = await lstat(leftover.path).catch(() => undefined);
    if (!stats || (process.getuid && stats.uid !== process.getuid())) continue;
    if (leftover.pid !== undefined && isRunning(leftover.pid)) continue;
    mine.push(leftover);
  }
  return mine;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
