// The dependency sets of generated repositories and where their uv.lock files
// are stored. A generated pyproject.toml depends on the Python floor, the cloud
// (its fsspec filesystem and DVC remote extra) and whether DVC is on; nothing
// else changes it, so one lock per such set covers every answer combination.
// The locks live in templates/versions/locks.yml as a store of unique
// [[package]] blocks plus, per set, its header and the order of its blocks:
// most packages are shared by every set, so the store is a fraction of the
// sets' total size. scripts/refresh-locks.mjs writes it; src/plan/uv-lock.ts
// reads it when a repository is planned.

import { createHash } from 'node:crypto';

export const pythons = ['3.11', '3.12', '3.13'];
export const clouds = ['aws', 'gcp', 'azure', 'local'];
/** The project name the stored locks were resolved for; replaced by the real name when planned. */
export const lockProjectName = 'lockset';

/** Every dependency set: its key and the `mlforge new` answers that produce it. */
export function lockSets() {
  return pythons.flatMap((python) =>
    clouds.flatMap((cloud) => [false, true].map((dvc) => ({ key: lockSetKey({ python, cloud, dvc }), python, cloud, dvc }))),
  );
}

/**
 * The key of the set holding a cloud's MLflow server image requirements (deploy/mlflow/requirements.txt,
 * mirrored by src/plan/mlflow-server-lock.ts; written by scripts/refresh-mlflow-server-locks.mjs).
 */
export function mlflowServerSetKey(cloud) {
  return `mlflow-server-${cloud}`;
}

/** The key of the dependency set of some answers (mirrored by src/plan/uv-lock.ts). */
export function lockSetKey({ python, cloud, dvc }) {
  return `${python}-${cloud}${dvc ? '-dvc' : ''}`;
}

/** Splits a uv.lock into its header and its [[package]] blocks (text without the blank separator). */
export function splitLock(text) {
  const parts = text.replace(/\n+$/, '').split(/\n\n(?=\[\[package\]\]\n)/);
  return { header: parts[0], blocks: parts.slice(1) };
}

export function blockId(block) {
  return createHash('sha256').update(block).digest('hex').slice(0, 16);
}

/** Adds one set's lock to a store ({ project, packages: {id: text}, sets: {key: {header, packages: [id]}} }). */
export function addToStore(store, key, lockText) {
  const { header, blocks } = splitLock(lockText);
  const ids = blocks.map((block) => {
    const id = blockId(block);
    store.packages[id] = block;
    return id;
  });
  store.sets[key] = { header, packages: ids };
  return store;
}
