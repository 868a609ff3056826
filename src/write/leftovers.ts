// mlforge's own leftovers: what a killed run (SIGKILL, power loss) can leave
// behind, recognised by exact naming pattern and owner, so the next run (or
// doctor) can say what they are and remove them. Nothing else is ever touched.

import * as nodeFs from 'node:fs';
import { join } from 'node:path';

export type LeftoverKind = 'staging-directory' | 'temporary-file' | 'backup-file' | 'lock-file';

export interface Leftover {
  /** Path relative to the directory scanned. */
  path: string;
  kind: LeftoverKind;
  /** The pid that made it, when the name records one. */
  pid?: number;
}

/** Names the writer gives its temporary entries. `base` is the target's name for siblings in its parent. */
export const leftoverNames = {
  stagingSibling: (base: string, pid: number, token: string) => `.${base}.mlforge-${pid}-${token}`,
  stagingInside: (pid: number, token: string) => `.mlforge-staging-${pid}-${token}`,
  lockSibling: (base: string) => `.${base}.mlforge-lock`,
  lockInside: '.mlforge-lock',
};

const patterns: Array<[RegExp, LeftoverKind]> = [
  [/^\.mlforge-staging-(\d+)-[0-9a-f]{8}$/, 'staging-directory'],
  [/^\..+\.mlforge-(\d+)-[0-9a-f]{8}$/, 'staging-directory'],
  [/^.+\.mlforge-backup-[0-9a-f]{8}$/, 'backup-file'],
  [/^.+\.mlforge-[0-9a-f]{8}$/, 'temporary-file'],
  [/^(?:\..+\.)?\.?mlforge-lock$/, 'lock-file'],
];

/** Pure: whether an entry name is one of mlforge's temporary names, and which. */
export function classifyLeftoverName(name: string): { kind: LeftoverKind; pid?: number } | undefined {
  for (const [pattern, kind] of patterns) {
    const match = pattern.exec(name);
    if (match) return match[1] ? { kind, pid: Number(match[1]) } : { kind };
  }
  return undefined;
}

export const leftoverMeaning: Record<LeftoverKind, string> = {
  'staging-directory': 'a staging directory of an interrupted `mlforge new`',
  'temporary-file': 'a half-written file of an interrupted `mlforge new --force`',
  'backup-file': 'the previous version of a file an interrupted `--force` run was replacing (rename it back if the file next to it is wrong)',
  'lock-file': 'the lock of an `mlforge new` run',
};

const skipped = new Set(['.git', 'node_modules', '.venv', 'venv', '__pycache__', '.mypy_cache', '.ruff_cache', '.pytest_cache']);

/**
 * Lists mlforge's leftovers in `dir` (recursively when `recursive`), owned by
 * the current user (any owner when the platform has no uids). Symlinks are
 * never followed, and only entries that look exactly like mlforge's own names
 * are listed.
 */
export function findMlforgeLeftovers(dir: string, options: { recursive?: boolean; fs?: Pick<typeof nodeFs, 'readdirSync' | 'lstatSync'> } = {}): Leftover[] {
  const fs = options.fs ?? nodeFs;
  const uid = process.getuid?.();
  const found: Leftover[] = [];
  const walk = (relative: string) => {
    let entries: nodeFs.Dirent[];
    try {
      entries = fs.readdirSync(join(dir, relative), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      const known = classifyLeftoverName(entry.name);
      if (known) {
        try {
          const stats = fs.lstatSync(join(dir, path));
          const shapeOk = known.kind === 'staging-directory' ? stats.isDirectory() : stats.isFile();
          if (shapeOk && (uid === undefined || stats.uid === uid)) found.push({ path, ...known });
        } catch {
          // vanished meanwhile
        }
        continue;
      }
      if (options.recursive && entry.isDirectory() && !skipped.has(entry.name)) walk(path);
    }
  };
  walk('');
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

/** Whether a process with this pid is running on this machine. */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
