// Image and pod practices: a non-root image and pods that refuse root,
// health probes on every long-running container, and resource requests and
// memory limits so a node is never starved.

import { missingFile, outcome, skippedOutcome } from '../check-result.js';
import { appContainers } from '../parse/app-containers.js';
import { finalStage, readDockerfile } from '../parse/dockerfile.js';
import { containersOf, k8sObjects, podSpecs } from '../parse/k8s-manifests.js';
import { getIn } from '../parse/yaml-file.js';
import type { Rule, Finding } from '../types.js';

export const nonRootImageCheck: Rule = {
  title: 'Runs as a non-root user (image USER, pod runAsNonRoot)',
  applies: () => true,
  async run(repo) {
    const findings: Finding[] = [];
    const stages = await readDockerfile(repo);
    const stage = stages && finalStage(stages);
    if (!stage) findings.push(missingFile('Dockerfile', 'the service image is built from it'));
    else {
      const users = stage.instructions.filter((instruction) => instruction.keyword === 'USER');
      const last = users[users.length - 1];
      const user = last?.args[0]?.split(':')[0];
      if (!last || user === undefined) {
        findings.push({ file: 'Dockerfile', line: stage.line, message: 'The final stage sets no USER, so the container runs as root.', fix: 'Create an unprivileged user and add `USER <uid>:<gid>` to the final stage.' });
      } else if (user === 'root' || user === '0') {
        findings.push({ file: 'Dockerfile', line: last.line, message: `The final stage runs as ${user}.`, fix: 'Switch to an unprivileged numeric UID with USER.' });
      } else if (!/^\d+$/.test(user)) {
        findings.push({ file: 'Dockerfile', line: last.line, message: `USER ${user} is a name: Kubernetes runAsNonRoot cannot verify a non-numeric user.`, fix: 'Use the numeric UID (USER 10001:10001).' });
      }
    }
    const { objects, errors } = await k8sObjects(repo);
    findings.push(...errors);
    const workloads = new Set((await appContainers(repo, objects)).map((container) => container.object));
    for (const object of workloads) {
      for (const { path, spec } of podSpecs(object)) {
        if (object.doc.file.includes('/overlays/')) continue; // patches inherit the base's pod security context
        const podNonRoot = getIn(spec, ['securityContext', 'runAsNonRoot']) === true;
        const containersNonRoot = containersOf([object]).every((container) => getIn(container.spec, ['securityContext', 'runAsNonRoot']) === true);
        if (!podNonRoot && !containersNonRoot) {
          findings.push({ file: object.doc.file, line: object.doc.lineOf(path), message: `${object.kind} ${object.name} does not set runAsNonRoot: true.`, fix: 'Set securityContext.runAsNonRoot: true (and runAsUser) on the pod.' });
        }
      }
    }
    return outcome(findings);
  },
};

const longRunning = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout', 'InferenceService']);

export const probesCheck: Rule = {
  title: 'Health probes on the service (readiness, liveness, HEALTHCHECK)',
  applies: () => true,
  async run(repo) {
    const findings: Finding[] = [];
    const stages = await readDockerfile(repo);
    const stage = stages && finalStage(stages);
    if (stage && !stage.instructions.some((instruction) => instruction.keyword === 'HEALTHCHECK')) {
      findings.push({ file: 'Dockerfile', line: stage.line, message: 'The image has no HEALTHCHECK (docker and compose cannot tell a hung server).', fix: 'Add a HEALTHCHECK that calls the health route.' });
    }
    const { objects, errors } = await k8sObjects(repo);
    findings.push(...errors);
    const containers = (await appContainers(repo, objects)).filter((container) => longRunning.has(container.object.kind) && !container.object.doc.file.includes('/overlays/'));
    if (!stage && containers.length === 0) return skippedOutcome('no Dockerfile or Kubernetes workload found');
    for (const container of containers) {
      for (const probe of ['readinessProbe', 'livenessProbe'] as const) {
        if (container.spec[probe] === undefined) {
          findings.push({
            file: container.object.doc.file,
            line: container.object.doc.lineOf(container.path),
            message: `${container.object.kind} ${container.object.name} container ${container.name} has no ${probe}.`,
            fix: `Add a ${probe} (httpGet on the ${probe === 'readinessProbe' ? 'ready' : 'health'} route).`,
          });
        }
      }
    }
    return outcome(findings);
  },
};

export const resourceLimitsCheck: Rule = {
  title: 'Containers request CPU and memory and cap memory',
  applies: () => true,
  async run(repo) {
    const { objects, errors } = await k8sObjects(repo);
    const findings: Finding[] = [...errors];
    const containers = containersOf(objects).filter((container) => !container.object.doc.file.includes('/overlays/'));
    if (containers.length === 0) return skippedOutcome('no Kubernetes workload found under deploy/k8s');
    for (const container of containers) {
      // CPU limits throttle latency-sensitive servers; requests and a memory limit are the practice.
      const missing = [['requests', 'cpu'], ['requests', 'memory'], ['limits', 'memory']].filter(([kind, resource]) => getIn(container.spec, ['resources', kind!, resource!]) === undefined);
      if (missing.length > 0) {
        findings.push({
          file: container.object.doc.file,
          line: container.object.doc.lineOf([...container.path, 'resources']) ?? container.object.doc.lineOf(container.path),
          message: `${container.object.kind} ${container.object.name} container ${container.name} has no ${missing.map((parts) => parts.join('.')).join(', ')}.`,
          fix: 'Set resources.requests.cpu, resources.requests.memory and resources.limits.memory.',
        });
      }
    }
    return outcome(findings, `${containers.length} containers`);
  },
};
