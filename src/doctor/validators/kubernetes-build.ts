// Builds every kustomize overlay of a generated repository with the real
// `kubectl kustomize`, once per RepoView, and maps built objects back to the
// file that defines them so findings can name a file and line.

import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { RepoView } from '../types.js';

export const k8sRoot = 'deploy/k8s';
/** Cluster-scoped prerequisites an administrator applies once (the namespace, RBAC). */
export const clusterDir = `${k8sRoot}/cluster`;
export const deployValuesFile = 'deploy-values.env';
export const deployValuesExample = `${k8sRoot}/deploy-values.example.env`;

export type K8sObject = Record<string, unknown> & { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };

export type OverlayBuild =
  | { overlay: string; ok: true; objects: K8sObject[]; note?: string }
  | { overlay: string; ok: false; error: string };

/** Overlay directories (relative paths) that hold a kustomization. */
export function overlayDirs(repo: RepoView): string[] {
  const pattern = new RegExp(`^(${k8sRoot}/overlays/[^/]+)/kustomization\\.ya?ml$`);
  return repo.files.flatMap((file) => pattern.exec(file)?.[1] ?? []).sort();
}

let kubectlProbe: Promise<boolean> | undefined;
export function kubectlAvailable(): Promise<boolean> {
  kubectlProbe ??= execa('kubectl', ['version', '--client'], { reject: false }).then(
    (result) => result.exitCode === 0,
    () => false,
  );
  return kubectlProbe;
}

const builds = new WeakMap<RepoView, Promise<OverlayBuild[]>>();

/** Builds each overlay, then the cluster kustomization; call only when kubectlAvailable() is true. */
export function buildOverlays(repo: RepoView): Promise<OverlayBuild[]> {
  let result = builds.get(repo);
  if (!result) {
    result = (async () => {
      const out: OverlayBuild[] = [];
      for (const overlay of overlayDirs(repo)) out.push(await buildOverlay(repo, overlay));
      if (repo.exists(`${clusterDir}/kustomization.yaml`)) out.push(await kustomize(clusterDir, join(repo.root, clusterDir)));
      return out;
    })();
    builds.set(repo, result);
  }
  return result;
}

async function buildOverlay(repo: RepoView, overlay: string): Promise<OverlayBuild> {
  const valuesPath = `${overlay}/${deployValuesFile}`;
  // deploy-values.env is written at deploy time (git-ignored). Without it, build a
  // copy with the example's values so structure and schemas can still be checked.
  if (repo.exists(valuesPath) || !repo.exists(deployValuesExample)) {
    return kustomize(overlay, join(repo.root, overlay));
  }
  const scratch = await mkdtemp(join(tmpdir(), 'mlforge-kustomize-'));
  try {
    await cp(join(repo.root, k8sRoot), join(scratch, 'k8s'), { recursive: true });
    const example = await readFile(join(repo.root, deployValuesExample), 'utf8');
    const overlayInCopy = join(scratch, 'k8s', overlay.slice(k8sRoot.length + 1));
    await writeFile(join(overlayInCopy, deployValuesFile), exampleValues(example));
    const build = await kustomize(overlay, overlayInCopy);
    return build.ok
      ? { ...build, note: `${valuesPath} is absent (written at deploy time); built with the values of ${deployValuesExample}` }
      : build;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** KEY=VALUE lines of the example file, comments dropped. */
export function exampleValues(example: string): string {
  return example
    .split('\n')
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
    .map((line) => `${line}\n`)
    .join('');
}

async function kustomize(overlay: string, dir: string): Promise<OverlayBuild> {
  const result = await execa('kubectl', ['kustomize', dir], { reject: false });
  if (result.exitCode !== 0) return { overlay, ok: false, error: kustomizeError(result.stderr, dir, overlay) };
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(result.stdout)) {
    if (doc.errors.length > 0) return { overlay, ok: false, error: `kustomize printed invalid YAML: ${doc.errors[0]?.message}` };
    const value = doc.toJS() as unknown;
    if (value && typeof value === 'object') objects.push(value as K8sObject);
  }
  return { overlay, ok: true, objects };
}

/** kubectl prints `... "command failed" err="<message>"`; keep the message, with repo-relative paths. */
function kustomizeError(stderr: string, dir: string, overlay: string): string {
  const match = /err="((?:[^"\\]|\\.)*)"/.exec(stderr);
  const message = match ? match[1]!.replace(/\\"/g, '"').replace(/\\\\/g, '\\') : stderr.trim();
  const base = dir.slice(0, dir.length - (overlay.length - k8sRoot.length));
  return message.split(base).join(k8sRoot).split(dir).join(overlay);
}

export interface SourceLocation {
  file: string;
  line?: number;
}

const sources = new WeakMap<RepoView, Promise<Map<string, SourceLocation>>>();

/** Where `kind`/`name` is defined under deploy/k8s (the overlay itself when no file defines it). */
export async function locate(repo: RepoView, overlay: string, object: K8sObject): Promise<SourceLocation> {
  let index = sources.get(repo);
  if (!index) {
    index = indexSources(repo);
    sources.set(repo, index);
  }
  const key = `${String(object.kind)}/${String(object.metadata?.name)}`;
  return (await index).get(key) ?? { file: `${overlay}/kustomization.yaml` };
}

async function indexSources(repo: RepoView): Promise<Map<string, SourceLocation>> {
  const index = new Map<string, SourceLocation>();
  const files = repo.files.filter((file) => file.startsWith(`${k8sRoot}/`) && /\.ya?ml$/.test(file) && !/kustomization\.ya?ml$/.test(file));
  for (const file of files) {
    const text = await repo.read(file);
    const lines = new LineCounter();
    for (const doc of parseAllDocuments(text, { lineCounter: lines })) {
      const value = doc.toJS() as K8sObject | null;
      if (!value || typeof value !== 'object' || typeof value.kind !== 'string') continue;
      const key = `${value.kind}/${String(value.metadata?.name)}`;
      const start = doc.contents?.range[0];
      if (!index.has(key)) index.set(key, { file, line: start === undefined ? undefined : lines.linePos(start).line });
    }
  }
  return index;
}

/** "Deployment/api in deploy/k8s/overlays/prod" for messages. */
export function objectLabel(object: K8sObject, overlay: string): string {
  return `${String(object.kind)}/${String(object.metadata?.name)} (built from ${overlay})`;
}
