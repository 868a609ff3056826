// On GCP the CI service account has no Kubernetes rights from IAM (only
// roles/container.clusterViewer, to fetch credentials): the namespace Role of
// deploy/k8s/cluster is all it may do. Every object the overlays apply, for
// every serving, rollout and monitoring choice, must be one that Role lets CI
// create and patch, and the first-deploy steps must bind exactly that Role.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { generateRepo } from '../helpers/generate.js';

type Json = Record<string, any>;

const combos = [
  { serving: 'fastapi', rollout: 'rolling', monitoring: true },
  { serving: 'fastapi', rollout: 'canary', monitoring: true },
  { serving: 'kserve', rollout: 'rolling', monitoring: true },
  { serving: 'fastapi', rollout: 'rolling', monitoring: false },
] as const;

/** The REST resource name of a kind (the plural the RBAC rules use). */
function resourceOf(kind: string): string {
  const lower = kind.toLowerCase();
  return lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : lower.endsWith('s') ? `${lower}es` : `${lower}s`;
}

async function built(dir: string, overlay: string): Promise<Json[]> {
  const { stdout } = await execa('kubectl', ['kustomize', join(dir, overlay)]);
  return parseAllDocuments(stdout).map((document) => document.toJS() as Json).filter(Boolean);
}

describe('GCP: the CI Role covers what the overlays apply', () => {
  it.each(combos)('$serving, $rollout, monitoring=$monitoring', async (combo) => {
    const { dir, plan } = await generateRepo({ cloud: 'gcp', ci: 'github', ...combo });
    const name = plan.answers.name;
    const cluster = await built(dir, 'deploy/k8s/cluster');
    const role = cluster.find((object) => object.kind === 'Role' && object.metadata.name === `${name}-ci-deploy`);
    expect(role, 'the CI Role in deploy/k8s/cluster').toBeDefined();
    expect(role!.metadata.namespace).toBe(name);
    const allows = (group: string, resource: string, verb: string) =>
      (role!.rules as Json[]).some((rule) => rule.apiGroups.includes(group) && rule.resources.includes(resource) && rule.verbs.includes(verb));

    // The values only known at deploy time, as CI writes them.
    const example = await readFile(join(dir, 'deploy/k8s/deploy-values.example.env'), 'utf8');
    const values = example.split('\n').filter((line) => /^[A-Z_]+=/.test(line));
    for (const overlay of ['staging', 'prod']) {
      await execa('sh', [join(dir, 'deploy/k8s/write-deploy-values.sh'), overlay, ...values]);
      const objects = await built(dir, `deploy/k8s/overlays/${overlay}`);
      expect(objects.length).toBeGreaterThan(5);
      for (const object of objects) {
        const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
        const resource = resourceOf(object.kind);
        expect(object.metadata.namespace, `${object.kind} ${object.metadata.name} is namespaced`).toBe(name);
        for (const verb of ['get', 'create', 'patch']) {
          expect(allows(group, resource, verb), `${overlay}: CI may ${verb} ${group || 'core'}/${resource} (${object.metadata.name})`).toBe(true);
        }
      }
    }
    // What the deploy and smoke-test steps do besides applying.
    expect(allows('', 'pods', 'list')).toBe(true);
    expect(allows('', 'pods/portforward', 'create')).toBe(true);
    // Never Secrets, never RBAC: CI cannot read credentials or widen its own rights.
    const granted = (role!.rules as Json[]).flatMap((rule) => rule.resources as string[]);
    expect(granted).not.toContain('secrets');
    expect((role!.rules as Json[]).flatMap((rule) => rule.apiGroups as string[])).not.toContain('rbac.authorization.k8s.io');

    // IAM gives only what fetching credentials needs, and the README binds this Role by name.
    const iam = await readFile(join(dir, 'infra/terraform/modules/gcp/ci-identity/main.tf'), 'utf8');
    expect(iam).toContain('role    = "roles/container.clusterViewer"');
    expect(iam).not.toMatch(/roles\/container\.(developer|admin)/);
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain(`kubectl -n ${name} create rolebinding ${name}-ci-deploy --role=${name}-ci-deploy --user="$(tf ci_identity)"`);
  });
});
