// deploy/mlflow/requirements.txt of a generated repository: the hashed closure of
// the MLflow server image's direct requirements (deploy/mlflow/requirements.in:
// mlflow and the cloud's drivers), as `uv pip compile` wrote it. It is kept in the
// uv lock store (templates/versions/locks.yml) as one more set per cloud,
// `mlflow-server-<cloud>`: uv's header, then one block per pinned package with its
// hashes. scripts/refresh-mlflow-server-locks.mjs writes those sets.

import { lockSetOf, type LockReader, type LockStore } from './uv-lock.js';

/** Mirrors mlflowServerSetKey of scripts/lock-sets.mjs. */
export function mlflowServerSetKey(cloud: string): string {
  return `mlflow-server-${cloud}`;
}

/** Splits `uv pip compile` output into its header (the leading comment lines) and one block per requirement. */
export function splitRequirements(text: string): { header: string; blocks: string[] } {
  const lines = text.replace(/\n+$/, '').split('\n');
  let first = 0;
  while (first < lines.length && (lines[first]!.startsWith('#') || lines[first] === '')) first++;
  const blocks: string[] = [];
  for (const line of lines.slice(first)) {
    if (/^\s/.test(line) && blocks.length > 0) blocks[blocks.length - 1] += `\n${line}`;
    else blocks.push(line);
  }
  return { header: lines.slice(0, first).join('\n').replace(/\n+$/, ''), blocks };
}

/**
 * The requirements.txt of `cloud`'s MLflow server image. Empty for the store of a release
 * from before the image (no set for any cloud, so none for `local`): its templates have no
 * requirements.txt to fill, and `update` re-plans such releases.
 */
export function composeRequirements(store: LockStore | LockReader | undefined, cloud: string): string {
  if (store === undefined) return '';
  const key = mlflowServerSetKey(cloud);
  const set = lockSetOf(store, key);
  if (!set && !lockSetOf(store, mlflowServerSetKey('local'))) return '';
  if (!set) throw new Error(`templates/versions/locks.yml has no requirements for the MLflow server set ${key}: run node scripts/refresh-mlflow-server-locks.mjs`);
  return `${[set.header, ...set.blocks].filter((part) => part !== '').join('\n')}\n`;
}
