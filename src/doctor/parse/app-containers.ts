// Which Kubernetes containers run the service image (not MLflow or other
// helpers), and the numbers and names of their ports.

import type { RepoView } from '../types.js';
import { asArray, asRecord } from './yaml-file.js';
import { containersOf, type K8sContainer, type K8sObject } from './k8s-manifests.js';

/** The repository part of an image reference: `reg.io/team/app:1.0@sha256:..` -> `reg.io/team/app`. */
export function imageRepository(image: string): string {
  const withoutDigest = image.split('@')[0]!;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
}

export function imageBaseName(image: string): string {
  return imageRepository(image).split('/').pop() ?? '';
}

/** The containers that run the service image (by its name in the re-derived plan), and KServe's predictor. */
export async function appContainers(repo: RepoView, objects: readonly K8sObject[]): Promise<K8sContainer[]> {
  const { imageName } = (await repo.expected()).context;
  return containersOf(objects).filter(
    (container) =>
      container.object.kind === 'InferenceService' ||
      (typeof container.spec.image === 'string' && imageBaseName(container.spec.image) === imageName),
  );
}

/** Named container ports (`http` -> 8000) of the given containers. */
export function namedPorts(containers: readonly K8sContainer[]): Map<string, number> {
  const names = new Map<string, number>();
  for (const container of containers) {
    for (const port of asArray(container.spec.ports)) {
      const record = asRecord(port);
      if (record && typeof record.name === 'string' && typeof record.containerPort === 'number') names.set(record.name, record.containerPort);
    }
  }
  return names;
}
