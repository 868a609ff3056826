// The service port: the app's settings, the Dockerfile (EXPOSE, the server
// command, HEALTHCHECK), docker-compose, the containers, their probes and the
// Services in front of them must all name the same number. One edit is one
// finding: the number most places use is the reference (so the odd one out is
// named, whichever it is), and uses through a named port ("http") follow the
// container port that defines the name instead of being reported again.

import { missingFile, outcome, plural } from '../check-result.js';
import { appContainers, namedPorts } from '../parse/app-containers.js';
import { finalStage, healthcheckUrls, readDockerfile, type DockerStage } from '../parse/dockerfile.js';
import { k8sObjects, probeKinds, type K8sObject } from '../parse/k8s-manifests.js';
import { settingsDefaults } from '../parse/python-source.js';
import { asArray, asRecord, getIn, readYaml } from '../parse/yaml-file.js';
import type { Check, Finding, RepoView } from '../types.js';

interface PortUse {
  what: string;
  port: number;
  file: string;
  line?: number | undefined;
  /** Set when the number comes from a named container port: that port is the place to fix. */
  via?: string;
}

export const portAgreementCheck: Check = {
  id: 'agreement.port',
  title: 'One service port across app, Dockerfile, compose, containers, probes and Services',
  group: 'agreement',
  applies: () => true,
  async run(repo) {
    const findings: Finding[] = [];
    const uses: PortUse[] = [];
    const settings = await settingsDefaults(repo);
    const settingsPort = settings.get('port');
    if (settingsPort && typeof settingsPort.value === 'number') {
      uses.push({ what: 'the app settings default `port`', port: settingsPort.value, file: settingsPort.file, line: settingsPort.line });
    }
    const stages = await readDockerfile(repo);
    if (!stages) findings.push(missingFile('Dockerfile', 'the service image is built from it'));
    else uses.push(...dockerfilePorts(stages));
    uses.push(...(await composePorts(repo)));
    const { objects, errors } = await k8sObjects(repo);
    findings.push(...errors);
    uses.push(...(await kubernetesPorts(repo, objects, findings)));

    const direct = uses.filter((use) => use.via === undefined);
    const reference = majority(direct) ?? uses[0];
    if (!reference) {
      findings.push({ file: 'Dockerfile', message: 'No service port found (no `port` setting, EXPOSE or containerPort).', fix: 'Declare the port the app listens on in the settings and EXPOSE it in the Dockerfile.' });
      return outcome(findings);
    }
    const agreeing = direct.filter((use) => use.port === reference.port).length;
    for (const use of direct) {
      if (use.port !== reference.port) {
        findings.push({
          file: use.file,
          line: use.line,
          message: `${use.what} is ${use.port}, but ${plural(agreeing, 'other place')} use ${reference.port} (first: ${reference.what}, ${reference.file}${reference.line ? `:${reference.line}` : ''}).`,
          fix: `Use port ${reference.port} here, or change all ${direct.length} places together.`,
        });
      }
    }
    return outcome(findings, `port ${reference.port} in ${plural(uses.length, 'place')}`);
  },
};

/** The use whose port most uses share (the first of them); ties go to the port found first. */
function majority(uses: readonly PortUse[]): PortUse | undefined {
  const counts = new Map<number, number>();
  for (const use of uses) counts.set(use.port, (counts.get(use.port) ?? 0) + 1);
  let best: PortUse | undefined;
  for (const use of uses) if (!best || counts.get(use.port)! > counts.get(best.port)!) best = use;
  return best;
}

function dockerfilePorts(stages: readonly DockerStage[]): PortUse[] {
  const stage = finalStage(stages);
  if (!stage) return [];
  const uses: PortUse[] = [];
  for (const instruction of stage.instructions) {
    if (instruction.keyword === 'EXPOSE') {
      for (const arg of instruction.args) {
        const port = Number(arg.split('/')[0]);
        if (Number.isInteger(port)) uses.push({ what: 'Dockerfile EXPOSE', port, file: 'Dockerfile', line: instruction.line });
      }
    }
    if (instruction.keyword === 'CMD' || instruction.keyword === 'ENTRYPOINT') {
      const port = commandPort(instruction.text);
      if (port !== undefined) uses.push({ what: `the Dockerfile ${instruction.keyword} --port`, port, file: 'Dockerfile', line: instruction.line });
    }
  }
  for (const url of healthcheckUrls(stage)) {
    if (url.port !== undefined) uses.push({ what: 'the Dockerfile HEALTHCHECK URL', port: url.port, file: 'Dockerfile', line: url.line });
  }
  return uses;
}

/** `--port 8000`, `--port=8000` (uvicorn) or `--bind 0.0.0.0:8000` / `-b :8000` (gunicorn). */
export function commandPort(command: string): number | undefined {
  const tokens = command.replace(/[[\]",]/g, ' ').split(/\s+/).filter(Boolean);
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    const inline = /^--port=(\d+)$/.exec(token) ?? /^--bind=.*:(\d+)$/.exec(token);
    if (inline) return Number(inline[1]);
    const next = tokens[index + 1];
    if (token === '--port' && next && /^\d+$/.test(next)) return Number(next);
    if ((token === '--bind' || token === '-b') && next) {
      const match = /:(\d+)$/.exec(next);
      if (match) return Number(match[1]);
    }
  }
  return undefined;
}

/** docker-compose: the container side of the app's published ports. */
async function composePorts(repo: RepoView): Promise<PortUse[]> {
  const file = ['docker-compose.yml', 'docker-compose.yaml', 'compose.yml', 'compose.yaml'].find((name) => repo.exists(name));
  if (!file) return [];
  const parsed = await readYaml(repo, file);
  const uses: PortUse[] = [];
  for (const doc of parsed.docs) {
    const services = asRecord(getIn(doc.data, ['services'])) ?? {};
    for (const [name, service] of Object.entries(services)) {
      // The app is the service built from this repository's Dockerfile (context `.`; the MLflow
      // server is built from deploy/mlflow).
      const build = getIn(service, ['build']);
      const context = typeof build === 'string' ? build : getIn(build, ['context']);
      if (build === undefined || !['.', './'].includes(typeof context === 'string' ? context : '.')) continue;
      asArray(getIn(service, ['ports'])).forEach((entry, index) => {
        const port = containerSideOf(entry);
        if (port !== undefined) {
          uses.push({ what: `docker-compose service "${name}" container port`, port, file, line: doc.lineOf(['services', name, 'ports', index]) });
        }
      });
    }
  }
  return uses;
}

function containerSideOf(entry: unknown): number | undefined {
  if (typeof entry === 'number') return entry;
  if (typeof entry === 'string') {
    const match = /(?:^|:)(\d+)(?:\/\w+)?$/.exec(entry);
    return match ? Number(match[1]) : undefined;
  }
  const target = asRecord(entry)?.target;
  return typeof target === 'number' ? target : undefined;
}

async function kubernetesPorts(repo: RepoView, objects: readonly K8sObject[], findings: Finding[]): Promise<PortUse[]> {
  const uses: PortUse[] = [];
  const containers = await appContainers(repo, objects);
  const names = namedPorts(containers);
  for (const container of containers) {
    const { doc } = container.object;
    const where = `${container.object.kind} ${container.object.name}`;
    asArray(container.spec.ports).forEach((port, index) => {
      const value = asRecord(port)?.containerPort;
      if (typeof value === 'number') {
        uses.push({ what: `${where} containerPort`, port: value, file: doc.file, line: doc.lineOf([...container.path, 'ports', index, 'containerPort']) });
      }
    });
    for (const probe of probeKinds) {
      const path = [...container.path, probe, 'httpGet', 'port'];
      const value = getIn(doc.data, path);
      const line = doc.lineOf(path);
      if (typeof value === 'number') uses.push({ what: `${where} ${probe} port`, port: value, file: doc.file, line });
      else if (typeof value === 'string') {
        const resolved = names.get(value);
        if (resolved === undefined) findings.push(unknownName(`${where} ${probe}`, value, doc.file, line));
        else uses.push({ what: `${where} ${probe} port "${value}"`, port: resolved, file: doc.file, line, via: value });
      }
    }
  }
  const podLabels = containers.map((container) => asRecord(getIn(container.object.doc.data, [...container.path.slice(0, -3), 'metadata', 'labels'])) ?? {});
  for (const service of objects.filter((object) => object.kind === 'Service')) {
    const selector = asRecord(getIn(service.doc.data, ['spec', 'selector']));
    const selectsApp = selector
      ? podLabels.some((labels) => Object.entries(selector).every(([key, value]) => labels[key] === value))
      : service.name.startsWith(repo.answers.name);
    if (!selectsApp) continue;
    asArray(getIn(service.doc.data, ['spec', 'ports'])).forEach((port, index) => {
      const target = asRecord(port)?.targetPort ?? asRecord(port)?.port;
      const path = ['spec', 'ports', index, 'targetPort'];
      const line = service.doc.lineOf(path);
      const what = `Service ${service.name} targetPort`;
      if (typeof target === 'number') uses.push({ what, port: target, file: service.doc.file, line });
      else if (typeof target === 'string') {
        const resolved = names.get(target);
        if (resolved === undefined) findings.push(unknownName(`Service ${service.name}`, target, service.doc.file, line));
        else uses.push({ what: `${what} "${target}"`, port: resolved, file: service.doc.file, line, via: target });
      }
    });
  }
  return uses;
}

function unknownName(where: string, name: string, file: string, line: number | undefined): Finding {
  return {
    file,
    line,
    message: `${where} refers to port "${name}", which no container of the service declares.`,
    fix: `Name the container port "${name}" or use the port number.`,
  };
}
