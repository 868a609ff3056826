// The MLflow tracking server is one image everywhere it runs: the one
// deploy/mlflow/Dockerfile builds, whose requirements.txt pins an MLflow not
// older than the client uv.lock installs (a client newer than its server can
// call endpoints the server does not have). docker-compose.yml builds it from
// that folder, and the cluster's components/mlflow runs the digest CD writes as
// MLFLOW_IMAGE (components/deploy-values). Every place the answers generate
// must be found; one that no longer parses is a finding, never a pass.

import { missingFile, outcome, plural } from '../check-result.js';
import { containersOf, k8sObjects } from '../parse/k8s-manifests.js';
import { asArray, asRecord, getIn, readYaml } from '../parse/yaml-file.js';
import type { Finding, RepoView, Rule } from '../types.js';

const composeFile = 'docker-compose.yml';
const serverDir = 'deploy/mlflow';
const requirementsFile = `${serverDir}/requirements.txt`;
const directFile = `${serverDir}/requirements.in`;
const clusterFile = 'deploy/k8s/components/mlflow/deployment.yaml';
const valuesFile = 'deploy/k8s/components/deploy-values/kustomization.yaml';

export const mlflowServerCheck: Rule = {
  title: 'One MLflow server image (deploy/mlflow) in compose and the cluster, not older than the locked client',
  applies: (repo) => repo.exists('uv.lock'),
  inapplicableReason: () => 'no uv.lock',
  async run(repo) {
    const findings: Finding[] = [];
    const client = lockedClient(await repo.read('uv.lock'));
    if (!client) {
      findings.push({ file: 'uv.lock', message: 'uv.lock holds neither mlflow-skinny nor mlflow, so the client the server must serve is unknown.', fix: 'Run `make lock` (uv lock) after adding mlflow-skinny to pyproject.toml.' });
      return outcome(findings);
    }
    const server = await serverRelease(repo, findings);
    if (server && compare(server.version, client.version) < 0) {
      findings.push({ file: requirementsFile, line: server.line, message: `The MLflow server image installs MLflow ${server.version}, older than the ${client.name} ${client.version} that uv.lock installs.`, fix: `Pin mlflow==${client.version} (or newer) in ${directFile} and re-resolve requirements.txt with the command there.` });
    }
    const places = (await composeBuildsServer(repo, findings)) + (await clusterRunsServer(repo, findings));
    return outcome(findings, `MLflow ${server?.version ?? '?'} from ${serverDir} in ${plural(places, 'place')}; client ${client.name} ${client.version}`);
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

/** The `mlflow==x.y.z` of requirements.txt (with hashes), agreeing with requirements.in's pin. */
async function serverRelease(repo: RepoView, findings: Finding[]): Promise<{ version: string; line: number } | undefined> {
  if (!repo.exists(requirementsFile)) {
    findings.push(missingFile(requirementsFile, 'the MLflow server image installs exactly what it pins'));
    return undefined;
  }
  const lines = (await repo.read(requirementsFile)).split('\n');
  const index = lines.findIndex((line) => /^mlflow==/.test(line));
  const version = /^mlflow==(\d+\.\d+\.\d+)\b/.exec(lines[index] ?? '')?.[1];
  if (!version) {
    findings.push({ file: requirementsFile, message: 'requirements.txt pins no `mlflow==x.y.z`, so the server release is unknown.', fix: `Re-resolve it from ${directFile} with the command there.` });
    return undefined;
  }
  if (!/^\s+--hash=sha256:/.test(lines[index + 1] ?? '')) {
    findings.push({ file: requirementsFile, line: index + 1, message: 'mlflow is pinned without hashes, so the image build (--require-hashes) fails.', fix: `Re-resolve with --generate-hashes (the command in ${directFile}).` });
  }
  if (repo.exists(directFile)) {
    const direct = /^mlflow(?:\[[\w,\s-]*\])?==(\S+)/m.exec(await repo.read(directFile))?.[1];
    if (direct !== undefined && direct !== version) {
      findings.push({ file: requirementsFile, line: index + 1, message: `requirements.txt installs mlflow ${version}, but ${directFile} asks for ${direct}: it was not re-resolved.`, fix: `Run the command in ${directFile} from ${serverDir}.` });
    }
  }
  return { version, line: index + 1 };
}

/** docker-compose's mlflow service is built from deploy/mlflow. */
async function composeBuildsServer(repo: RepoView, findings: Finding[]): Promise<number> {
  if (!repo.exists(composeFile)) return 0;
  const parsed = await readYaml(repo, composeFile);
  findings.push(...parsed.errors);
  const doc = parsed.docs[0];
  const service = asRecord(getIn(doc?.data, ['services']))?.mlflow;
  if (!doc || asRecord(service) === undefined) {
    findings.push({ file: composeFile, line: doc?.lineOf(['services']), message: 'docker-compose.yml has no `mlflow` service, which the local stack tracks to.', fix: 'Restore the mlflow service (see the README, "Local system").' });
    return 0;
  }
  const build = getIn(service, ['build']);
  const context = typeof build === 'string' ? build : getIn(build, ['context']);
  if (typeof context !== 'string' || context.replace(/^\.\//, '').replace(/\/$/, '') !== serverDir) {
    const image = getIn(service, ['image']);
    findings.push({ file: composeFile, line: doc.lineOf(['services', 'mlflow', build === undefined ? 'image' : 'build']), message: `docker-compose service mlflow ${build === undefined ? `runs "${String(image)}"` : `builds ${JSON.stringify(context)}`}, not the server image ${serverDir} builds for the cluster: the local stack and the cluster would behave differently.`, fix: `Build it from ${serverDir} (build: { context: ${serverDir} }).` });
  }
  return 1;
}

/** The cluster's mlflow container takes its image from deploy-values MLFLOW_IMAGE (the digest CD pushed). */
async function clusterRunsServer(repo: RepoView, findings: Finding[]): Promise<number> {
  if (!repo.exists('deploy/k8s/components/mlflow')) return 0;
  if (!repo.exists(clusterFile)) {
    findings.push(missingFile(clusterFile, "it is the cluster's MLflow server"));
    return 0;
  }
  const { objects, errors } = await k8sObjects(repo);
  findings.push(...errors);
  const container = containersOf(objects.filter((object) => object.doc.file === clusterFile && object.kind === 'Deployment')).find((candidate) => candidate.name === 'mlflow');
  if (!container) {
    findings.push({ file: clusterFile, message: 'The MLflow Deployment has no container `mlflow`.', fix: 'Restore the mlflow container of components/mlflow.' });
    return 0;
  }
  if (!repo.exists(valuesFile) || !(await replacesServerImage(repo))) {
    findings.push({ file: repo.exists(valuesFile) ? valuesFile : clusterFile, line: repo.exists(valuesFile) ? undefined : container.object.doc.lineOf([...container.path, 'image']), message: `Nothing sets the cluster's MLflow image from MLFLOW_IMAGE (the ${serverDir} image CD pushed, by digest), so the Deployment runs "${String(container.spec.image)}".`, fix: `Restore the MLFLOW_IMAGE replacement of ${valuesFile} (target: Deployment mlflow, container mlflow).` });
  }
  return 1;
}

async function replacesServerImage(repo: RepoView): Promise<boolean> {
  const parsed = await readYaml(repo, valuesFile);
  return asArray(getIn(parsed.docs[0]?.data, ['replacements'])).some(
    (replacement) =>
      getIn(replacement, ['source', 'fieldPath']) === 'data.MLFLOW_IMAGE' &&
      asArray(getIn(replacement, ['targets'])).some(
        (target) => getIn(target, ['select', 'kind']) === 'Deployment' && getIn(target, ['select', 'name']) === 'mlflow' && asArray(getIn(target, ['fieldPaths'])).includes('spec.template.spec.containers.[name=mlflow].image'),
      ),
  );
}
