// The patches of the overlays' kustomization.yaml files (deploy/k8s/overlays/<env>/),
// read without kustomize: JSON 6902 operations and strategic-merge documents,
// inline (`patch:`) or in a file (`path:`), each with the line it is written on.

import { posix } from 'node:path';
import type { Finding, RepoView } from '../types.js';
import { k8sRoot } from './k8s-manifests.js';
import { asArray, asRecord, getIn, parseYamlText, readYaml } from './yaml-file.js';

export const overlaysRoot = `${k8sRoot}overlays/`;

export interface PatchOperation {
  op: string;
  path: string;
  value: unknown;
  line: number | undefined;
}

export interface OverlayPatch {
  /** The overlay's kustomization file. */
  file: string;
  /** Overlay directory name (staging, prod). */
  environment: string;
  target: { kind?: string; name?: string };
  /** JSON 6902 operations, when the patch is a list of them. */
  operations: PatchOperation[];
  /** The strategic-merge document, when the patch is an object. */
  merge: Record<string, unknown> | undefined;
  line: number | undefined;
}

export interface Overlay {
  file: string;
  environment: string;
  data: Record<string, unknown>;
  lineOf(path: ReadonlyArray<string | number>): number | undefined;
}

export async function overlays(repo: RepoView): Promise<{ overlays: Overlay[]; errors: Finding[] }> {
  const out: Overlay[] = [];
  const errors: Finding[] = [];
  for (const file of repo.files.filter((path) => path.startsWith(overlaysRoot) && /^[^/]+\/kustomization\.ya?ml$/.test(path.slice(overlaysRoot.length)))) {
    const parsed = await readYaml(repo, file);
    errors.push(...parsed.errors);
    const doc = parsed.docs[0];
    const data = asRecord(doc?.data);
    if (doc && data) out.push({ file, environment: file.slice(overlaysRoot.length).split('/')[0]!, data, lineOf: doc.lineOf });
  }
  return { overlays: out, errors };
}

export async function overlayPatches(repo: RepoView): Promise<{ patches: OverlayPatch[]; errors: Finding[] }> {
  const { overlays: list, errors } = await overlays(repo);
  const patches: OverlayPatch[] = [];
  for (const overlay of list) {
    for (const [index, entry] of asArray(overlay.data.patches).entries()) {
      const record = asRecord(entry);
      if (!record) continue;
      const target = asRecord(record.target) ?? {};
      let text: string | undefined;
      let file = overlay.file;
      let firstLine: number | undefined;
      if (typeof record.patch === 'string') {
        text = record.patch;
        // The block scalar starts on the line after `patch: |-`.
        const at = overlay.lineOf(['patches', index, 'patch']);
        firstLine = at === undefined ? undefined : at + 1;
      } else if (typeof record.path === 'string') {
        file = posix.normalize(posix.join(posix.dirname(overlay.file), record.path));
        if (!repo.exists(file)) continue;
        text = await repo.read(file);
        firstLine = 1;
      }
      if (text === undefined) continue;
      const parsed = parseYamlText(file, text);
      errors.push(...parsed.errors.map((error) => (file === overlay.file ? { ...error, file, line: firstLine } : error)));
      const doc = parsed.docs[0];
      if (!doc) continue;
      const lineIn = (path: ReadonlyArray<string | number>) => {
        const line = doc.lineOf(path);
        return line === undefined || firstLine === undefined ? firstLine : firstLine + line - 1;
      };
      const merge = asRecord(doc.data);
      const operations: PatchOperation[] = asArray(doc.data).flatMap((op, opIndex) => {
        const item = asRecord(op);
        if (!item || typeof item.op !== 'string' || typeof item.path !== 'string') return [];
        return [{ op: item.op, path: item.path, value: item.value, line: lineIn([opIndex]) }];
      });
      patches.push({
        file,
        environment: overlay.environment,
        target: {
          ...(typeof target.kind === 'string' ? { kind: target.kind } : {}),
          ...(typeof target.name === 'string' ? { name: target.name } : {}),
        },
        operations,
        merge,
        line: overlay.lineOf(['patches', index]),
      });
      // A strategic-merge patch names its own target.
      if (merge && !record.target) {
        const last = patches[patches.length - 1]!;
        last.target = { kind: String(merge.kind ?? ''), name: String(getIn(merge, ['metadata', 'name']) ?? '') };
      }
    }
  }
  return { patches, errors };
}

/** Whether a patch applies to the object of this kind and name. */
export function patchTargets(patch: OverlayPatch, kind: string, name: string): boolean {
  return (patch.target.kind === undefined || patch.target.kind === kind) && (patch.target.name === undefined || patch.target.name === name);
}

/** The value an overlay's operations set at `path` on the object (the last add/replace wins). */
export function patchedValue(patches: readonly OverlayPatch[], kind: string, name: string, path: string): PatchOperation | undefined {
  let found: PatchOperation | undefined;
  for (const patch of patches) {
    if (!patchTargets(patch, kind, name)) continue;
    for (const operation of patch.operations) if (operation.path === path && (operation.op === 'replace' || operation.op === 'add')) found = operation;
  }
  return found;
}
