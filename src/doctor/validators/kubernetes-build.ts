// Builds every kustomize overlay of a generated repository with the real
// `kubectl kustomize`, once per RepoView, and maps built objects back to the
// file that defines them so findings can name a file and line.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ToolProbe } from '../tools/tool-runner.js';
import { withWorkCopy } from '../tools/work-copy.js';
import type { RepoView } from '../types.js';
import { k8sDir, k8sObjects } from '../parse/k8s-manifests.js';

/** Cluster-scoped prerequisites an administrator applies once (the namespace, RBAC). */
export const clusterDir = `${k8sDir}/cluster`;
export const deployValuesFile = 'deploy-values.env';
export const deployValuesExample = `${k8sDir}/deploy-values.example.env`;

/** An object as `kubectl kustomize` built it (parse/k8s-manifests.ts K8sObject is a source document). */
export type BuiltObject = Record<string, unknown> & { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };

export type OverlayBuild =
  | { overlay: string; ok: true; objects: BuiltObject[]; note?: string }
  | { overlay: string; ok: false; error: string };

/** Overlay directories (relative paths) that hold a kustomization. */
export function overlayDirs(repo: RepoView): string[] {
  const pattern = new RegExp(`^(${k8sDir}/overlays/[^/]+)/kustomization\\.ya?ml$`);
  return repo.files.flatMap((file) => pattern.exec(file)?.[1] ?? []).sort();
}

/** kubectl from the user's PATH (probed once per repository view). */
export function kubectlProbe(repo: RepoView): Promise<ToolProbe> {
  return repo.tools.probe('kubectl');
}

const builds = new WeakMap<RepoView, Promise<OverlayBuild[]>>();

/**
 * Builds each overlay, then the cluster kustomization, in one copy of
 * deploy/k8s (kustomize reads only inside it); call only when kubectl is available.
 */
export function buildOverlays(repo: RepoView): Promise<OverlayBuild[]> {
  let result = builds.get(repo);
  if (!result) {
    const files = repo.files.filter((file) => file.startsWith(`${k8sDir}/`));
    result = withWorkCopy(repo, files, async (copy) => {
      const out: OverlayBuild[] = [];
      for (const overlay of overlayDirs(repo)) out.push(await buildOverlay(repo, copy, overlay));
      if (repo.exists(`${clusterDir}/kustomization.yaml`)) out.push(await kustomize(repo, copy, clusterDir));
      return out;
    });
    builds.set(repo, result);
  }
  return result;
}

async function buildOverlay(repo: RepoView, copy: string, overlay: string): Promise<OverlayBuild> {
  const valuesPath = `${overlay}/${deployValuesFile}`;
  // deploy-values.env is written at deploy time (git-ignored). Without it, build
  // with the example's values so structure and schemas can still be checked.
  if (repo.exists(valuesPath) || !repo.exists(deployValuesExample)) return kustomize(repo, copy, overlay);
  await writeFile(join(copy, valuesPath), exampleValues(await repo.read(deployValuesExample)));
  const build = await kustomize(repo, copy, overlay);
  return build.ok ? { ...build, note: `${valuesPath} is absent (written at deploy time); built with the values of ${deployValuesExample}` } : build;
}

/** KEY=VALUE lines of the example file, comments dropped. */
export function exampleValues(example: string): string {
  return example
    .split('\n')
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
    .map((line) => `${line}\n`)
    .join('');
}

async function kustomize(repo: RepoView, copy: string, overlay: string): Promise<OverlayBuild> {
  const result = await repo.tools.run('kubectl', ['kustomize', join(copy, overlay)], { cwd: copy, timeoutMs: 60_000 });
  if (result.exitCode !== 0) return { overlay, ok: false, error: kustomizeError(result.stderr, copy) };
  const objects: BuiltObject[] = [];
  for (const doc of parseAllDocuments(result.stdout)) {
    if (doc.errors.length > 0) return { overlay, ok: false, error: `kustomize printed invalid YAML: ${doc.errors[0]?.message}` };
    const value = doc.toJS() as unknown;
    if (value && typeof value === 'object') objects.push(value as BuiltObject);
  }
  return { overlay, ok: true, objects };
}

/** kubectl prints `... "command failed" err="<message>"`; keep the message, with repo-relative paths. */
function kustomizeError(stderr: string, copy: string): string {
  const match = /err="((?:[^"\\]|\\.)*)"/.exec(stderr);
  const message = match ? match[1]!.replace(/\\"/g, '"').replace(/\\\\/g, '\\') : stderr.trim();
  return message.split(`${copy}/`).join('').split(copy).join('.');
}

export interface SourceLocation {
  file: string;
  line?: number;
}

const sources = new WeakMap<RepoView, Promise<Map<string, SourceLocation>>>();

/** Where `kind`/`name` is defined under deploy/k8s (the overlay itself when no file defines it). */
export async function locate(repo: RepoView, overlay: string, object: BuiltObject): Promise<SourceLocation> {
  let index = sources.get(repo);
  if (!index) {
    index = indexSources(repo);
    sources.set(repo, index);
  }
  const key = `${String(object.kind)}/${String(object.metadata?.name)}`;
  return (await index).get(key) ?? { file: `${overlay}/kustomization.yaml` };
}

/** The source model's objects (parse/k8s-manifests.ts) by kind and name; kustomization files define none. */
async function indexSources(repo: RepoView): Promise<Map<string, SourceLocation>> {
  const index = new Map<string, SourceLocation>();
  for (const object of (await k8sObjects(repo)).objects) {
    if (/kustomization\.ya?ml$/.test(object.doc.file)) continue;
    const key = `${object.kind}/${object.name}`;
    if (!index.has(key)) index.set(key, { file: object.doc.file, line: object.doc.lineOf([]) });
  }
  return index;
}

/** "Deployment/api in deploy/k8s/overlays/prod" for messages. */
export function objectLabel(object: BuiltObject, overlay: string): string {
  return `${String(object.kind)}/${String(object.metadata?.name)} (built from ${overlay})`;
}
