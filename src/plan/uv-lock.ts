// The uv.lock of a generated repository, composed from the lock store in
// templates/versions/locks.yml (written by scripts/refresh-locks.mjs, format
// described in scripts/lock-sets.mjs): the set's header and its [[package]]
// blocks, with the project's own block renamed to the project and moved to
// where uv sorts it, so the file is byte-for-byte what `uv lock` would write.

import type { Answers } from '../questions/table.js';

export interface LockStore {
  project: string;
  packages: Record<string, string>;
  sets: Record<string, { header: string; packages: string[] }>;
}

/** One dependency set's lock as stored: its header and [[package]] blocks in order, the project's named `project`. */
export interface LockSet {
  project: string;
  header: string;
  blocks: string[];
}

/** A lock store that yields one set at a time: the build's dist/locks/ (lock-files.ts). */
export interface LockReader {
  lockSet(key: string): LockSet | undefined;
}

/** One set of a store (templates/versions/locks.yml, a release's snapshot) or of a reader; undefined when it has none. */
export function lockSetOf(store: LockStore | LockReader, key: string): LockSet | undefined {
  if (typeof (store as LockReader).lockSet === 'function') return (store as LockReader).lockSet(key);
  const { project, packages, sets } = store as LockStore;
  const set = Object.hasOwn(sets, key) ? sets[key] : undefined;
  if (set === undefined) return undefined;
  const blocks = set.packages.map((id) => {
    const block = packages[id];
    if (block === undefined) throw new Error(`templates/versions/locks.yml: set ${key} names a missing package block ${id}`);
    return block;
  });
  return { project, header: set.header, blocks };
}

/** The key of a dependency set (mirrors lockSetKey of scripts/lock-sets.mjs). */
export function lockSetKey(answers: Pick<Answers, 'python' | 'cloud' | 'dvc'>): string {
  return `${answers.python}-${answers.cloud}${answers.dvc ? '-dvc' : ''}`;
}

export function composeLock(store: LockStore | LockReader | undefined, answers: Pick<Answers, 'name' | 'python' | 'cloud' | 'dvc'>): string {
  // Releases before 0.2.0 shipped no lock store and no uv.lock template: `update` re-renders them without one.
  if (store === undefined) return '';
  const key = lockSetKey(answers);
  const set = lockSetOf(store, key);
  if (!set) throw new Error(`templates/versions/locks.yml has no lock for the dependency set ${key}: run node scripts/refresh-locks.mjs`);
  const marker = `[[package]]\nname = "${set.project}"\n`;
  const { blocks } = set;
  const own = blocks.findIndex((block) => block.startsWith(marker));
  if (own < 0) throw new Error(`templates/versions/locks.yml: set ${key} has no block for the project ${set.project}`);
  const project = `[[package]]\nname = "${answers.name}"\n${blocks[own]!.slice(marker.length)}`;
  const others = blocks.filter((_, index) => index !== own);
  const at = others.findIndex((block) => packageName(block) > answers.name);
  others.splice(at < 0 ? others.length : at, 0, project);
  return `${[set.header, ...others].join('\n\n')}\n`;
}

function packageName(block: string): string {
  return /^name = "([^"]+)"$/m.exec(block)?.[1] ?? '';
}
