// Whether a directory lies inside an existing git repository, decided from the
// file system alone: no git process and no GIT_* variable can steer it.

import { lstatSync } from 'node:fs';
import { dirname, join } from 'node:path';

const exists = (path: string) => {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
};

/** A `.git` (directory or file) in the directory or any ancestor, or an ancestor that is itself a git directory. */
export function insideRepository(directory: string): boolean {
  for (let dir = directory; ; dir = dirname(dir)) {
    if (exists(join(dir, '.git'))) return true;
    if (exists(join(dir, 'HEAD')) && exists(join(dir, 'objects')) && exists(join(dir, 'refs'))) return true;
    if (dirname(dir) === dir) return false;
  }
}
