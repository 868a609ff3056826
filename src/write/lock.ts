// One run per target: a lock file created with O_EXCL next to the target (or
// inside it when the parent is not writable). A lock whose process is gone
// (same host, pid not running) is stale and taken over; any other is a
// conflict (exit 3) that says who holds it and how to remove it.

import { hostname } from 'node:os';
import * as nodeFs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConflictError } from '../errors.js';
import { leftoverNames, processAlive } from './leftovers.js';
import { shownPath } from './safe-path.js';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = nodeFs.constants;

export interface Lock {
  path: string;
  /** A lock left by a dead run that this one took over. */
  tookOverStale: boolean;
  release(): void;
}

interface LockInfo {
  pid: number;
  host: string;
  started: string;
}

export function acquireLock(target: string, targetExists: boolean): Lock {
  const sibling = join(dirname(target), leftoverNames.lockSibling(basename(target)));
  try {
    return lockAt(sibling);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!targetExists || !['EACCES', 'EPERM', 'EROFS'].includes(code)) throw error;
    // A target whose parent is not writable (a mount point, /srv/x owned by root): lock inside it.
    return lockAt(join(target, leftoverNames.lockInside));
  }
}

function lockAt(path: string, retried = false): Lock {
  const info: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  try {
    const fd = nodeFs.openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
    try {
      nodeFs.writeSync(fd, `${JSON.stringify(info)}\n`);
    } finally {
      nodeFs.closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = readSettledLock(path);
    if (!retried && holder && holder.host === info.host && !processAlive(holder.pid)) {
      // Re-read right before removing, so a lock another run just took over is left alone.
      const again = readLock(path);
      if (again && again.pid === holder.pid && again.started === holder.started) nodeFs.rmSync(path, { force: true });
      const lock = lockAt(path, true);
      return { ...lock, tookOverStale: true };
    }
    const who = holder ? `pid ${holder.pid} on ${holder.host}, started ${holder.started}` : 'an unreadable lock';
    throw new ConflictError(
      `Another mlforge run is writing this target (${who}): lock file ${shownPath(path)}. ` +
        'Wait for it to finish; if no mlforge run is active, delete the lock file and run again.',
    );
  }
  let released = false;
  return {
    path,
    tookOverStale: false,
    release: () => {
      if (released) return;
      released = true;
      const holder = readLock(path);
      if (holder?.pid === info.pid && holder.started === info.started) nodeFs.rmSync(path, { force: true });
    },
  };
}

/**
 * The holder of an existing lock. Its creator opens the file and then writes it, so a lock read in
 * between is empty: read again for up to 50 ms before calling it unreadable (a half-written or
 * foreign lock stays unreadable, and is reported so).
 */
function readSettledLock(path: string): LockInfo | undefined {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    const holder = readLock(path);
    if (holder || attempt === 10) return holder;
    Atomics.wait(pause, 0, 0, 5);
  }
}

function readLock(path: string): LockInfo | undefined {
  try {
    const stats = nodeFs.lstatSync(path);
    if (!stats.isFile() || stats.size > 4096) return undefined;
    const data = JSON.parse(nodeFs.readFileSync(path, 'utf8')) as Partial<LockInfo>;
    if (typeof data.pid === 'number' && typeof data.host === 'string' && typeof data.started === 'string') {
      return { pid: data.pid, host: data.host, started: data.started };
    }
  } catch {
    // missing or garbage: treated as held (the message says how to remove it)
  }
  return undefined;
}
