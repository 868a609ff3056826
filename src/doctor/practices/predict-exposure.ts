// What the cluster publishes of the model server: the Ingress routes only the
// predict path, the server requires an API key from a mounted Secret
// ({PREFIX}API_KEYS_FILE under a secret volume's mount) and serves no /docs
// ({PREFIX}DOCS_ENABLED=false). Names come from src/derive.ts, as in the templates.

import { servicePaths } from '../../derive.js';
import { outcome, skippedOutcome } from '../check-result.js';
import { appContainers } from '../parse/app-containers.js';
import { baseObjects, type K8sContainer } from '../parse/k8s-manifests.js';
import { asArray, asRecord, getIn } from '../parse/yaml-file.js';
import type { Finding, Rule } from '../types.js';

/** The kinds the model server is one of (Deployment, Argo Rollout or KServe InferenceService). */
export const servingKinds = ['Deployment', 'Rollout', 'InferenceService'];

function envValue(container: K8sContainer, name: string): { value: unknown; index: number } | undefined {
  const index = asArray(container.spec.env).findIndex((entry) => asRecord(entry)?.name === name);
  return index === -1 ? undefined : { value: asRecord(asArray(container.spec.env)[index])?.value, index };
}

/** The secret volumes the container mounts: mount path -> secret name. */
function secretMounts(container: K8sContainer): Map<string, string> {
  const pod = asRecord(getIn(container.object.doc.data, container.path.slice(0, -2)));
  const secrets = new Map<string, string>();
  for (const volume of asArray(pod?.volumes)) {
    const record = asRecord(volume);
    const secretName = asRecord(record?.secret)?.secretName;
    if (typeof record?.name === 'string' && typeof secretName === 'string') secrets.set(record.name, secretName);
  }
  const mounts = new Map<string, string>();
  for (const mount of asArray(container.spec.volumeMounts)) {
    const record = asRecord(mount);
    const secret = typeof record?.name === 'string' ? secrets.get(record.name) : undefined;
    if (secret && typeof record?.mountPath === 'string') mounts.set(record.mountPath.replace(/\/+$/, ''), secret);
  }
  return mounts;
}

export const predictExposureCheck: Rule = {
  title: 'Only the predict path is published, it needs an API key from a mounted Secret, and /docs is off in the cluster',
  applies: () => true,
  async run(repo) {
    const { objects, errors } = await baseObjects(repo);
    const findings: Finding[] = [...errors];
    const prefix = (await repo.expected()).context.envPrefix;
    const keysVariable = `${prefix}API_KEYS_FILE`;
    const docsVariable = `${prefix}DOCS_ENABLED`;
    const containers = (await appContainers(repo, objects)).filter((container) => servingKinds.includes(container.object.kind));
    if (containers.length === 0) return skippedOutcome('no model-server workload found under deploy/k8s/base');
    for (const container of containers) {
      const label = `${container.object.kind} ${container.object.name}`;
      const at = (path: ReadonlyArray<string | number>) => ({ file: container.object.doc.file, line: container.object.doc.lineOf([...container.path, ...path]) });
      const keys = envValue(container, keysVariable);
      if (keys === undefined || typeof keys.value !== 'string' || keys.value === '') {
        findings.push({
          ...at(keys ? ['env', keys.index] : ['env']),
          message: `${label} does not set ${keysVariable}: ${servicePaths.predict} answers anyone who reaches it.`,
          fix: `Set ${keysVariable} to a file in a mounted Secret volume (one API key per line).`,
        });
      } else {
        const file = keys.value;
        const mounted = [...secretMounts(container)].find(([dir]) => file.startsWith(`${dir}/`));
        if (!mounted) {
          findings.push({
            ...at(['env', keys.index, 'value']),
            message: `${label} reads its API keys from ${file}, which is not in a mounted Secret volume.`,
            fix: 'Mount the Secret that holds the keys (volumes[].secret, volumeMounts[].mountPath) at the folder of that file.',
          });
        }
      }
      const docs = envValue(container, docsVariable);
      if (docs?.value !== 'false') {
        findings.push({
          ...at(docs ? ['env', docs.index, 'value'] : ['env']),
          message: `${label} serves /docs, /redoc and /openapi.json (${docsVariable} is not "false"); Swagger UI loads its assets from a CDN.`,
          fix: `Set ${docsVariable}: "false" in the cluster; keep the docs for local development.`,
        });
      }
    }
    for (const ingress of objects.filter((object) => object.kind === 'Ingress')) {
      asArray(getIn(ingress.doc.data, ['spec', 'rules'])).forEach((rule, ruleIndex) => {
        asArray(getIn(rule, ['http', 'paths'])).forEach((entry, pathIndex) => {
          const record = asRecord(entry);
          const path = record?.path;
          const exact = record?.pathType === 'Exact';
          if (path === servicePaths.predict && exact) return;
          findings.push({
            file: ingress.doc.file,
            line: ingress.doc.lineOf(['spec', 'rules', ruleIndex, 'http', 'paths', pathIndex]),
            message: `Ingress ${ingress.name} publishes ${String(path)} (${String(record?.pathType)}): only ${servicePaths.predict} (Exact) should be public, not probes, /version, ${servicePaths.metrics} or /docs.`,
            fix: `Route only path ${servicePaths.predict} with pathType Exact.`,
          });
        });
      });
      if (getIn(ingress.doc.data, ['spec', 'defaultBackend']) !== undefined) {
        findings.push({ file: ingress.doc.file, line: ingress.doc.lineOf(['spec', 'defaultBackend']), message: `Ingress ${ingress.name} has a defaultBackend: every path is public.`, fix: 'Remove spec.defaultBackend.' });
      }
    }
    return outcome(findings, `${containers.length} model-server container${containers.length === 1 ? '' : 's'}`);
  },
};
