// The generated README as a newcomer reads it: a title that reads naturally, free text escaped
// only where Markdown needs it, a Mermaid diagram GitHub and GitLab can draw, and a linear first
// deploy whose add-on installs are pinned to templates/versions/k8s.yml.

import { describe, expect, it } from 'vitest';
import type { Answers } from '../../src/questions/table.js';
import { planFor, templates } from '../helpers/generate.js';

async function readme(overrides: Partial<Answers>): Promise<string> {
  const plan = await planFor(overrides);
  return plan.files.find((file) => file.path === 'README.md')!.contents.toString();
}

function mermaidBlock(text: string): string[] {
  const match = /```mermaid\n([\s\S]*?)\n```/.exec(text);
  expect(match, 'a ```mermaid block').not.toBeNull();
  return match![1]!.split('\n');
}

const node = String.raw`([a-z][a-z0-9]*)(?:\[\("[^"]+"\)\]|\(\["[^"]+"\]\)|\["[^"]+"\])?`;
const link = String.raw`(?:-->|---|-- "[^"]+" -->|-\. "[^"]+" \.->)`;
const statement = new RegExp(String.raw`^  ${node} ${link} ${node}$`);

/** A structural check of the flowchart subset the template uses (mermaid itself needs a browser DOM). */
function checkFlowchart(lines: string[]): { nodes: Set<string>; edges: number } {
  expect(lines[0]).toBe('flowchart LR');
  const labelled = new Set<string>();
  const used = new Set<string>();
  for (const line of lines.slice(1)) {
    const parts = statement.exec(line);
    expect(parts, `not a flowchart statement: ${line}`).not.toBeNull();
    for (const [id, withLabel] of [[parts![1]!, /^  [a-z0-9]+[[(]/.test(line)], [parts![2]!, /[\])]$/.test(line)]] as const) {
      used.add(id);
      if (withLabel) labelled.add(id);
    }
    // Markdown and Handlebars leftovers would show up as text in the drawing.
    expect(line).not.toMatch(/\{\{|\}\}|\\[-.]/);
  }
  for (const id of used) expect(labelled.has(id), `node ${id} has a label somewhere`).toBe(true);
  return { nodes: used, edges: lines.length - 1 };
}

describe('generated README', () => {
  it('titles the project naturally and leaves plain free text unescaped', async () => {
    const text = await readme({ name: 'ml-api', description: 'A machine-learning model service.', author: 'Data & ML team' });
    expect(text.split('\n')[0]).toBe('# ML API');
    expect(text).toContain('\nA machine-learning model service.\n');
    expect(text).toContain('Maintained by Data \\& ML team.');
  });

  it.each([
    [{ cloud: 'aws', ci: 'github', serving: 'fastapi', rollout: 'rolling' }, ['ECR', 'EKS', 'GitHub Actions', 'prometheus']],
    [{ cloud: 'gcp', ci: 'gitlab', serving: 'kserve', monitoring: false }, ['Artifact Registry', 'GKE', 'GitLab CI', 'KServe']],
    [{ cloud: 'azure', ci: 'github', serving: 'fastapi', rollout: 'canary', gpu: true, dvc: true }, ['ACR', 'AKS', 'Argo Rollout', 'DVC']],
    [{ cloud: 'local' }, ['kind']],
  ] as Array<[Partial<Answers>, string[]]>)('draws the architecture for %j', async (answers, expected) => {
    const lines = mermaidBlock(await readme(answers));
    const { nodes } = checkFlowchart(lines);
    for (const id of ['code', 'ci', 'registry', 'cluster', 'mlflow']) expect(nodes).toContain(id);
    for (const word of expected) expect(lines.join('\n')).toContain(word);
    // The loop back from the running service to retraining.
    expect(lines.some((line) => line.includes('.->') && line.trim().endsWith('ci'))).toBe(true);
  });

  it.each([
    [{ cloud: 'aws', ci: 'github', serving: 'fastapi' }, 'AWS', 'aws eks update-kubeconfig'],
    [{ cloud: 'gcp', ci: 'gitlab', serving: 'kserve' }, 'Google Cloud', 'gcloud container clusters get-credentials'],
    [{ cloud: 'azure', ci: 'github', serving: 'fastapi', rollout: 'canary', gpu: true }, 'Azure', 'kubelogin convert-kubeconfig'],
  ] as Array<[Partial<Answers>, string, string]>)('walks the first deploy in order for %j', async (answers, cloudName, kubeconfig) => {
    const text = await readme(answers);
    const start = text.indexOf(`## First deploy on ${cloudName}`);
    expect(start).toBeGreaterThan(0);
    const section = text.slice(start, text.indexOf('\n## ', start + 1));
    const steps = [...section.matchAll(/^(\d+)\. \*\*([^*]+)\*\*/gm)].map((match) => [Number(match[1]), match[2]!] as const);
    expect(steps.map(([number]) => number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(steps.map(([, title]) => title)).toEqual([
      'Push the repository', 'Bootstrap', 'Environment and identities', 'CI variables', 'Cluster credentials', 'Cluster add-ons',
      'Namespace and CI\'s rights in it', 'Credentials', 'DNS', 'First deploy', 'If the first champion failed', 'Smoke test',
    ]);
    const inOrder = ['bootstrap apply', 'TF_VAR_ci_repository', 'CLUSTER_NAME', kubeconfig, 'helm upgrade --install', 'kubectl apply -k deploy/k8s/cluster',
      'CI_PASSWORD="$(', 'deploy/k8s/bootstrap-champion.sh', '--from=cronjob/', 'curl -fsS "'];
    const positions = inOrder.map((needle) => section.indexOf(needle));
    for (const [index, position] of positions.entries()) expect(position, inOrder[index]).toBeGreaterThan(-1);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('pins every add-on install to the chart version in templates/versions/k8s.yml', async () => {
    const addons = (await templates()).versions.k8s!.addons as Record<string, { version: string }>;
    const text = await readme({ cloud: 'azure', serving: 'fastapi', rollout: 'canary', gpu: true, monitoring: true });
    const installs = [...text.matchAll(/helm upgrade --install (\S+) [^\n]*\\\n\s+--version (\S+)/g)].map((match) => [match[1]!, match[2]!]);
    expect(installs.map(([release]) => release).sort()).toEqual(['argo-rollouts', 'cert-manager', 'external-secrets', 'ingress-nginx', 'kube-prometheus-stack', 'nvidia-device-plugin']);
    const byRelease: Record<string, string> = {
      'argo-rollouts': addons.argoRollouts!.version, 'cert-manager': addons.certManager!.version, 'external-secrets': addons.externalSecrets!.version, 'ingress-nginx': addons.ingressNginx!.version,
      'kube-prometheus-stack': addons.kubePrometheusStack!.version, 'nvidia-device-plugin': addons.nvidiaDevicePlugin!.version,
    };
    for (const [release, version] of installs) expect(version, release).toBe(byRelease[release!]);
    const kserve = await readme({ cloud: 'gcp', serving: 'kserve' });
    expect(kserve).toContain(`kserve-crd oci://ghcr.io/kserve/charts/kserve-crd --version ${(addons.kserve as { version: string }).version}`);
  });

  it('creates no credential by hand on a cloud: the CI password and the API key are read from the secret store Terraform wrote', async () => {
    const readers = { aws: 'aws secretsmanager get-secret-value --secret-id "$(tf ', gcp: 'gcloud secrets versions access latest --secret="$(tf ', azure: 'az keyvault secret show --vault-name "$(tf key_vault_name)" --name "$(tf ' };
    for (const [cloud, reader] of Object.entries(readers)) {
      const text = await readme({ cloud: cloud as Answers['cloud'] });
      expect(text).toContain(`CI_PASSWORD="$(${reader}mlflow_users_secret)`);
      expect(text).toContain(`API_KEY="$(${reader}api_keys_secret)`);
      expect(text).toContain('helm upgrade --install external-secrets');
      expect(text).not.toMatch(/create secret generic (mlflow-backend|mlflow-auth|mlflow-users|ml-service-api-keys)/);
    }
    // kind has no secret store: make deploy-local and the README create the Secrets.
    expect(await readme({ cloud: 'local' })).toContain('create secret generic mlflow-backend');
  });
});
