// Tools never run in the checked repository: they get a fresh directory
// outside it holding copies of just the regular files they need, written
// from doctor's own safe reads (no symlink followed, nothing but file bytes
// copied: no modes, no links, no .git, no .venv).

import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RepoView } from '../types.js';

/** Runs `use` with a temporary copy of `files` (paths relative to the repository), then removes it. */
export async function withWorkCopy<T>(repo: RepoView, files: readonly string[], use: (dir: string) => Promise<T>): Promise<T> {
  // The real path: tools print canonical paths, which findings map back to repository paths.
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'mlforge-doctor-copy-')));
  try {
    for (const file of files) {
      if (!repo.exists(file)) continue;
      const target = join(dir, file);
      await mkdir(dirname(target), { recursive: true });
      // Through repo.read: a view that substitutes a file's text (tests do) gives the tool that text.
      await writeFile(target, await repo.read(file), { flag: 'wx', mode: 0o600 });
    }
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
