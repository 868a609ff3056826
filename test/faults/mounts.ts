// Tiny tmpfs mounts for real full-disk and read-only faults. Tests run as
// root, where chmod does not stop writes, so a read-only mount is the honest
// way to get EROFS; mounting needs CAP_SYS_ADMIN, so availability is probed.

import { execaSync } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function run(args: string[]): boolean {
  try {
    return execaSync(args[0]!, args.slice(1), { reject: false, timeout: 20_000 }).exitCode === 0;
  } catch {
    return false;
  }
}

let probed: boolean | undefined;
/** Whether `mount -t tmpfs` works here (root with CAP_SYS_ADMIN, not inside a locked-down container). */
export function canMountTmpfs(): boolean {
  if (probed === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'mlforge-mount-probe-'));
    probed = run(['mount', '-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', dir]);
    if (probed) run(['umount', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
  return probed;
}

export interface Mount {
  dir: string;
  /** Remounts read-only (after the test has put files in place). */
  readOnly(): void;
  unmount(): void;
}

export function mountTmpfs(sizeKb: number): Mount {
  const dir = mkdtempSync(join(tmpdir(), 'mlforge-tmpfs-'));
  if (!run(['mount', '-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0755`, 'tmpfs', dir])) throw new Error(`cannot mount a tmpfs on ${dir}`);
  return {
    dir,
    readOnly: () => {
      if (!run(['mount', '-o', 'remount,ro', dir])) throw new Error(`cannot remount ${dir} read-only`);
    },
    unmount: () => {
      run(['umount', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
