// Every HTTP path something outside the app calls (Kubernetes probes, the
// Dockerfile and compose health checks, Prometheus scrapes) is a route the
// FastAPI app declares.

import { missingFile, outcome, skippedOutcome } from '../check-result.js';
import { appContainers } from '../parse/app-containers.js';
import { finalStage, healthcheckUrls, readDockerfile } from '../parse/dockerfile.js';
import { k8sObjects, probeKinds } from '../parse/k8s-manifests.js';
import { packageDir, pythonRoutes, routeServes } from '../parse/python-source.js';
import { asArray, asRecord, getIn, readYaml } from '../parse/yaml-file.js';
import type { Rule, Finding, RepoView } from '../types.js';

interface PathUse {
  what: string;
  path: string;
  file: string;
  line?: number | undefined;
}

export const probeRoutesCheck: Rule = {
  title: 'Probe, health-check and scrape paths are routes of the app',
  applies: () => true,
  async run(repo) {
    const findings: Finding[] = [];
    const appFile = `${await packageDir(repo)}serving/app.py`;
    if (!repo.exists(appFile)) return outcome([missingFile(appFile, 'it is the FastAPI app the image serves')]);
    const routes = await pythonRoutes(repo);
    const uses = [...(await dockerPaths(repo)), ...(await composePaths(repo)), ...(await kubernetesPaths(repo, findings))];
    if (uses.length === 0) return skippedOutcome('no probe, health-check or scrape path found to compare');
    for (const use of uses) {
      if (routeServes(routes, use.path)) continue;
      findings.push({
        file: use.file,
        line: use.line,
        message: `${use.what} requests ${use.path}, which is not a route of the app (routes: ${[...new Set(routes.map((route) => route.path))].join(', ') || 'none found'}).`,
        fix: `Point it at an existing route or add ${use.path} to ${appFile}.`,
      });
    }
    return outcome(findings, `${uses.length} paths checked against ${routes.length} routes`);
  },
};

async function dockerPaths(repo: RepoView): Promise<PathUse[]> {
  const stages = await readDockerfile(repo);
  const stage = stages && finalStage(stages);
  if (!stage) return [];
  return healthcheckUrls(stage).map((url) => ({ what: 'The Dockerfile HEALTHCHECK', path: url.path, file: 'Dockerfile', line: url.line }));
}

async function composePaths(repo: RepoView): Promise<PathUse[]> {
  const file = ['docker-compose.yml', 'docker-compose.yaml', 'compose.yml', 'compose.yaml'].find((name) => repo.exists(name));
  if (!file) return [];
  const uses: PathUse[] = [];
  for (const doc of (await readYaml(repo, file)).docs) {
    for (const [name, service] of Object.entries(asRecord(getIn(doc.data, ['services'])) ?? {})) {
      if (getIn(service, ['build']) === undefined) continue;
      const test = getIn(service, ['healthcheck', 'test']);
      const text = Array.isArray(test) ? test.join(' ') : typeof test === 'string' ? test : '';
      for (const match of text.matchAll(/https?:\/\/(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::\d+)?(\/[^\s'"\\,)]*)/g)) {
        uses.push({ what: `docker-compose service "${name}" healthcheck`, path: match[1]!, file, line: doc.lineOf(['services', name, 'healthcheck', 'test']) });
      }
    }
  }
  return uses;
}

async function kubernetesPaths(repo: RepoView, findings: Finding[]): Promise<PathUse[]> {
  const { objects, errors } = await k8sObjects(repo);
  findings.push(...errors);
  const uses: PathUse[] = [];
  for (const container of await appContainers(repo, objects)) {
    const { doc, kind, name } = container.object;
    for (const probe of probeKinds) {
      const path = [...container.path, probe, 'httpGet', 'path'];
      const value = getIn(doc.data, path);
      if (typeof value === 'string') uses.push({ what: `${kind} ${name} ${probe}`, path: value, file: doc.file, line: doc.lineOf(path) });
    }
  }
  // The app's metrics endpoint as Prometheus (operator) scrapes it.
  for (const monitor of objects.filter((object) => object.kind === 'ServiceMonitor' || object.kind === 'PodMonitor')) {
    const key = monitor.kind === 'ServiceMonitor' ? 'endpoints' : 'podMetricsEndpoints';
    asArray(getIn(monitor.doc.data, ['spec', key])).forEach((endpoint, index) => {
      const value = asRecord(endpoint)?.path;
      if (typeof value === 'string') {
        uses.push({ what: `${monitor.kind} ${monitor.name}`, path: value, file: monitor.doc.file, line: monitor.doc.lineOf(['spec', key, index, 'path']) });
      }
    });
  }
  return uses;
}
