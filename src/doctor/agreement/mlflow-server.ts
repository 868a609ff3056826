// The MLflow tracking server is one release everywhere it runs (the local
// stack of docker-compose.yml and the cluster's components/mlflow), and not
// older than the MLflow client uv.lock installs: a client newer than its
// server can call endpoints the server does not have. Every place the answers
// generate must be found; one that no longer parses is a finding, never a pass.

import { missingFile, outcome, plural } from '../check-result.js';
import { containersOf, k8sObjects } from '../parse/k8s-manifests.js';
import { asRecord, getIn, readYaml } from '../parse/yaml-file.js';
import type { Finding, RepoView, Rule } from '../types.js';

const composeFile = 'docker-compose.yml';
const clusterFile = 'deploy/k8s/components/mlflow/deployment.yaml';

interface ServerImage {
  what: string;
  image: string;
  file: string;
  line?: number | undefined;
}

export const mlflowServerCheck: Rule = {
  title: 'One MLflow server release in compose and the cluster, not older than the locked client',
  applies: (repo) => repo.exists('uv.lock'),
  inapplicableReason: () => 'no uv.lock',
  async run(repo) {
    const findings: Finding[] = [];
    const client = lockedClient(await repo.read('uv.lock'));
    if (!client) {
      findings.push({ file: 'uv.lock', message: 'uv.lock holds neither mlflow-skinny nor mlflow, so the client the server must serve is unknown.', fix: 'Run `make lock` (uv lock) after adding mlflow-skinny to pyproject.toml.' });
      return outcome(findings);
    }
    const servers = [...(await composeServer(repo, findings)), ...(await clusterServer(repo, findings))];
    for (const server of servers) {
      const version = /:v?(\d+\.\d+\.\d+)$/.exec(server.image.split('@')[0]!)?.[1];
      if (!version) {
        findings.push({ file: server.file, line: server.line, message: `${server.what} runs "${server.image}", whose tag names no MLflow release (x.y.z).`, fix: `Pin a release tag, such as ghcr.io/mlflow/mlflow:v${client.version}.` });
      } else if (compare(version, client.version) < 0) {
        findings.push({ file: server.file, line: server.line, message: `${server.what} runs MLflow ${version}, older than the ${client.name} ${client.version} that uv.lock installs.`, fix: `Use ghcr.io/mlflow/mlflow:v${client.version} (or newer).` });
      }
    }
    const distinct = new Set(servers.map((server) => server.image));
    if (distinct.size > 1) {
      const [first, ...rest] = servers;
      for (const server of rest.filter((candidate) => candidate.image !== first!.image)) {
        findings.push({ file: server.file, line: server.line, message: `${server.what} runs "${server.image}", but ${first!.what} runs "${first!.image}": the local stack and the cluster would behave differently.`, fix: 'Use the same image in both.' });
      }
    }
    return outcome(findings, `${[...distinct].join(', ')} in ${plural(servers.length, 'place')}; client ${client.name} ${client.version}`);
  },
};

/** The MLflow client package uv.lock resolves (the skinny client first). */
export function lockedClient(lock: string): { name: string; version: string } | undefined {
  for (const name of ['mlflow-skinny', 'mlflow']) {
    const version = new RegExp(`\\[\\[package\\]\\]\\nname = "${name}"\\nversion = "([^"]+)"`).exec(lock)?.[1];
    if (version) return { name, version };
  }
  return undefined;
}

function compare(a: string, b: string): number {
  const [x, y] = [a, b].map((version) => version.split(/[.+-]/).slice(0, 3).map((part) => Number.parseInt(part, 10) || 0));
  for (let index = 0; index < 3; index++) if (x![index] !== y![index]) return x![index]! - y![index]!;
  return 0;
}

async function composeServer(repo: RepoView, findings: Finding[]): Promise<ServerImage[]> {
  if (!repo.exists(composeFile)) return [];
  const parsed = await readYaml(repo, composeFile);
  findings.push(...parsed.errors);
  const doc = parsed.docs[0];
  const image = getIn(asRecord(getIn(doc?.data, ['services']))?.mlflow, ['image']);
  if (!doc || typeof image !== 'string') {
    findings.push({ file: composeFile, line: doc?.lineOf(['services']), message: 'docker-compose.yml has no `mlflow` service with an image, which the local stack tracks to.', fix: 'Restore the mlflow service (see the README, "Local system").' });
    return [];
  }
  return [{ what: 'docker-compose service mlflow', image, file: composeFile, line: doc.lineOf(['services', 'mlflow', 'image']) }];
}

async function clusterServer(repo: RepoView, findings: Finding[]): Promise<ServerImage[]> {
  if (!repo.exists('deploy/k8s/components/mlflow')) return [];
  if (!repo.exists(clusterFile)) {
    findings.push(missingFile(clusterFile, "it is the cluster's MLflow server"));
    return [];
  }
  const { objects, errors } = await k8sObjects(repo);
  findings.push(...errors);
  const container = containersOf(objects.filter((object) => object.doc.file === clusterFile && object.kind === 'Deployment')).find((candidate) => candidate.name === 'mlflow');
  const image = container?.spec.image;
  if (!container || typeof image !== 'string') {
    findings.push({ file: clusterFile, message: 'The MLflow Deployment has no container `mlflow` with an image.', fix: 'Restore the mlflow container of components/mlflow.' });
    return [];
  }
  return [{ what: 'the cluster MLflow Deployment', image, file: clusterFile, line: container.object.doc.lineOf([...container.path, 'image']) }];
}
