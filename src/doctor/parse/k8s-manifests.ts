// The Kubernetes manifests of a repository (deploy/k8s/**), read from the
// source files rather than the kustomize output so every finding keeps its
// file and line. Overlay patches are documents too and are checked alike.

import type { RepoView } from '../types.js';
import { oncePerRepo } from './per-repo.js';
import { asArray, asRecord, getIn, readYaml, type YamlDoc, type YamlPath } from './yaml-file.js';
import type { Finding } from '../types.js';

/** The folder of the Kubernetes manifests, and the prefix of the paths under it. */
export const k8sDir = 'deploy/k8s';
export const k8sRoot = `${k8sDir}/`;

export interface K8sObject {
  doc: YamlDoc;
  kind: string;
  apiVersion: string;
  name: string;
}

export interface K8sContainer {
  object: K8sObject;
  /** Path of the container inside its document. */
  path: YamlPath;
  name: string;
  spec: Record<string, unknown>;
}

/** The objects of deploy/k8s outside the overlays (base, components, cluster). */
export async function baseObjects(repo: RepoView): Promise<{ objects: K8sObject[]; errors: Finding[] }> {
  const { objects, errors } = await k8sObjects(repo);
  return { objects: objects.filter((object) => !object.doc.file.includes('/overlays/')), errors };
}

export function k8sFiles(repo: RepoView): string[] {
  return repo.files.filter((file) => file.startsWith(k8sRoot) && /\.ya?ml$/.test(file));
}

/** The Kubernetes documents under deploy/k8s, read once per RepoView. */
export function k8sObjects(repo: RepoView): Promise<{ objects: K8sObject[]; errors: Finding[] }> {
  return oncePerRepo(repo, 'k8s-objects', () => readK8sObjects(repo));
}

async function readK8sObjects(repo: RepoView): Promise<{ objects: K8sObject[]; errors: Finding[] }> {
  const objects: K8sObject[] = [];
  const errors: Finding[] = [];
  for (const file of k8sFiles(repo)) {
    const parsed = await readYaml(repo, file);
    errors.push(...parsed.errors);
    for (const doc of parsed.docs) {
      const data = asRecord(doc.data);
      if (!data || typeof data.kind !== 'string') continue;
      objects.push({
        doc,
        kind: data.kind,
        apiVersion: typeof data.apiVersion === 'string' ? data.apiVersion : '',
        name: String(getIn(data, ['metadata', 'name']) ?? ''),
      });
    }
  }
  return { objects, errors };
}

/** Where each workload kind keeps its pod spec. */
const podSpecPaths: Record<string, YamlPath[]> = {
  Deployment: [['spec', 'template', 'spec']],
  StatefulSet: [['spec', 'template', 'spec']],
  DaemonSet: [['spec', 'template', 'spec']],
  ReplicaSet: [['spec', 'template', 'spec']],
  Job: [['spec', 'template', 'spec']],
  CronJob: [['spec', 'jobTemplate', 'spec', 'template', 'spec']],
  Rollout: [['spec', 'template', 'spec']],
  Pod: [['spec']],
  // KServe: the predictor is itself a pod spec (custom container) with extra fields.
  InferenceService: [['spec', 'predictor'], ['spec', 'transformer']],
};

export const workloadKinds = new Set(Object.keys(podSpecPaths));

export function podSpecs(object: K8sObject): Array<{ path: YamlPath; spec: Record<string, unknown> }> {
  const out: Array<{ path: YamlPath; spec: Record<string, unknown> }> = [];
  for (const path of podSpecPaths[object.kind] ?? []) {
    const spec = asRecord(getIn(object.doc.data, path));
    if (spec) out.push({ path, spec });
  }
  return out;
}

/** Application containers of every workload object; with `init`, its init containers too. */
export function containersOf(objects: readonly K8sObject[], options: { init?: boolean } = {}): K8sContainer[] {
  const out: K8sContainer[] = [];
  const lists = options.init ? (['containers', 'initContainers'] as const) : (['containers'] as const);
  for (const object of objects) {
    for (const { path, spec } of podSpecs(object)) {
      for (const list of lists) {
        asArray(spec[list]).forEach((container, index) => {
          const record = asRecord(container);
          if (record) out.push({ object, path: [...path, list, index], name: String(record.name ?? ''), spec: record });
        });
      }
    }
  }
  return out;
}

export const probeKinds = ['readinessProbe', 'livenessProbe', 'startupProbe'] as const;
