// How the model server is released on Kubernetes: the autoscaler alone owns
// the replica count (and GPU pods fit the GPU pool), pods drain before they
// stop, Prometheus scrapes each pod once, and the canary analysis fails when
// the canary has had no traffic. Expected numbers come from the answers
// through src/derive-release.ts, the same values the templates render.

import { deriveRelease, environments, releaseExtraPods } from '../../derive-release.js';
import { metricNames } from '../../derive.js';
import { lineOfMatch, missingFile, outcome, skippedOutcome } from '../check-result.js';
import { appContainers } from '../parse/app-containers.js';
import { finalStage, readDockerfile } from '../parse/dockerfile.js';
import { baseObjects, type K8sObject } from '../parse/k8s-manifests.js';
import { overlayPatches, overlays, patchedValue, patchTargets } from '../parse/kustomize-patches.js';
import { asArray, asRecord, getIn } from '../parse/yaml-file.js';
import type { Finding, RepoView, Rule } from '../types.js';

const data = (object: K8sObject) => object.doc.data as Record<string, unknown>;
const where = (object: K8sObject, path: ReadonlyArray<string | number>) => ({ file: object.doc.file, line: object.doc.lineOf(path) });
const isInferenceService = (object: K8sObject) => object.kind === 'InferenceService';


/** The model-server workloads (Deployment, Rollout, InferenceService) that run the service image. */
async function modelServers(repo: RepoView, objects: readonly K8sObject[]): Promise<K8sObject[]> {
  return [...new Set((await appContainers(repo, objects)).map((container) => container.object))].filter((object) => ['Deployment', 'Rollout', 'InferenceService'].includes(object.kind));
}

// ---------------------------------------------------------------- replicas

/** Surge pods of a rolling update: an integer or a percentage of `replicas` (rounded up); Kubernetes' default is 25%. */
function surgeOf(value: unknown, replicas: number): number {
  if (typeof value === 'number') return value;
  const percent = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return Math.ceil(((percent ? Number(percent[1]) : 25) * replicas) / 100);
}

function gpuPoolSizes(text: string): { nodes: number; line: number | undefined } | undefined {
  const match = /^\s*gpu_count_max\s*=\s*(\d+)\s*$/m.exec(text);
  return match ? { nodes: Number(match[1]), line: lineOfMatch(text, /^\s*gpu_count_max\s*=/) } : undefined;
}

export const autoscalerOwnsReplicasCheck: Rule = {
  title: 'The autoscaler alone sets the model server replicas, and GPU pods fit the GPU pool',
  applies: () => true,
  async run(repo) {
    const { objects, errors } = await baseObjects(repo);
    const findings: Finding[] = [...errors];
    const servers = await modelServers(repo, objects);
    if (servers.length === 0) return skippedOutcome('no model-server workload found under deploy/k8s/base');
    const { patches, errors: patchErrors } = await overlayPatches(repo);
    const { overlays: overlayList } = await overlays(repo);
    findings.push(...patchErrors);
    const hpas = objects.filter((object) => object.kind === 'HorizontalPodAutoscaler');
    const scaled = hpas.flatMap((hpa) => {
      const kind = getIn(data(hpa), ['spec', 'scaleTargetRef', 'kind']);
      const name = getIn(data(hpa), ['spec', 'scaleTargetRef', 'name']);
      const workload = servers.find((object) => object.kind === kind && object.name === name);
      return workload ? [{ hpa, workload }] : [];
    });
    for (const { hpa, workload } of scaled) {
      const fix = `Remove replicas from ${workload.kind} ${workload.name}: the HorizontalPodAutoscaler ${hpa.name} owns the scale; set per-environment scale with minReplicas/maxReplicas patches on the HPA.`;
      if (getIn(data(workload), ['spec', 'replicas']) !== undefined) {
        findings.push({ ...where(workload, ['spec', 'replicas']), message: `${workload.kind} ${workload.name} sets spec.replicas beside the HorizontalPodAutoscaler ${hpa.name}: every apply resets the autoscaled count.`, fix });
      }
      for (const patch of patches.filter((entry) => patchTargets(entry, workload.kind, workload.name))) {
        for (const operation of patch.operations.filter((entry) => entry.path === '/spec/replicas' && entry.op !== 'remove')) {
          findings.push({ file: patch.file, line: operation.line, message: `The ${patch.environment} overlay patches /spec/replicas of ${workload.kind} ${workload.name}, which the HorizontalPodAutoscaler ${hpa.name} scales.`, fix });
        }
        if (getIn(patch.merge, ['spec', 'replicas']) !== undefined) {
          findings.push({ file: patch.file, line: patch.line, message: `The ${patch.environment} overlay sets spec.replicas of ${workload.kind} ${workload.name}, which the HorizontalPodAutoscaler ${hpa.name} scales.`, fix });
        }
      }
      for (const overlay of overlayList) {
        asArray(overlay.data.replicas).forEach((entry, index) => {
          if (asRecord(entry)?.name === workload.name) {
            findings.push({ file: overlay.file, line: overlay.lineOf(['replicas', index]), message: `The ${overlay.environment} overlay's replicas field sets ${workload.name}, which the HorizontalPodAutoscaler ${hpa.name} scales.`, fix });
          }
        });
      }
    }
    if (scaled.length === 0 && !servers.some(isInferenceService)) {
      findings.push({ ...where(servers[0]!, ['spec']), message: `No HorizontalPodAutoscaler scales ${servers[0]!.kind} ${servers[0]!.name}.`, fix: 'Add a HorizontalPodAutoscaler whose scaleTargetRef names the model server.' });
    }
    const gpu = repo.answers.gpu ? await gpuFit(repo, servers, scaled.map((entry) => entry.hpa), patches) : undefined;
    findings.push(...(gpu?.findings ?? []));
    const gpuNote = gpu === undefined ? '' : gpu.compared > 0 ? `; GPU pool compared in ${gpu.compared} environment${gpu.compared === 1 ? '' : 's'}` : '; no Terraform GPU pool to compare (no infra/terraform/environments/*.tfvars)';
    return outcome(findings, `${servers.length === 1 ? servers[0]!.kind : `${servers.length} workloads`} scaled by ${scaled.length > 0 ? 'its HorizontalPodAutoscaler' : 'KServe'}${gpuNote}`);
  },
};

/** Each environment's GPU pool (Terraform) must hold the most GPU pods a release runs at once. */
async function gpuFit(repo: RepoView, servers: readonly K8sObject[], hpas: readonly K8sObject[], patches: Awaited<ReturnType<typeof overlayPatches>>['patches']): Promise<{ findings: Finding[]; compared: number }> {
  const findings: Finding[] = [];
  let compared = 0;
  const release = deriveRelease(repo.answers);
  for (const server of servers) {
    const gpus = Number((await appContainers(repo, [server])).map((container) => getIn(container.spec, ['resources', 'limits', 'nvidia.com/gpu']) ?? getIn(container.spec, ['resources', 'requests', 'nvidia.com/gpu'])).find((value) => value !== undefined) ?? 0);
    if (!(gpus > 0)) continue;
    const hpa = hpas.find((object) => getIn(data(object), ['spec', 'scaleTargetRef', 'name']) === server.name);
    const owner = isInferenceService(server) ? server : hpa;
    if (!owner) continue;
    const maxPath = isInferenceService(server) ? ['spec', 'predictor', 'maxReplicas'] : ['spec', 'maxReplicas'];
    for (const environment of environments) {
      const tfvars = `infra/terraform/environments/${environment}.tfvars`;
      if (!repo.exists(tfvars)) continue;
      const pool = gpuPoolSizes(await repo.read(tfvars));
      if (!pool) {
        findings.push({ file: tfvars, message: `The ${environment} Terraform values set no gpu_count_max, but ${server.kind} ${server.name} asks for GPUs.`, fix: 'Set gpu_count_max to the most GPU pods a release runs at once.' });
        continue;
      }
      const patched = patchedValue(patches.filter((patch) => patch.environment === environment), owner.kind, owner.name, `/${maxPath.join('/')}`);
      const maxReplicas = Number(patched?.value ?? getIn(data(owner), maxPath));
      if (!Number.isInteger(maxReplicas)) continue;
      const strategyPath = isInferenceService(server) ? ['spec', 'predictor', 'deploymentStrategy', 'rollingUpdate', 'maxSurge'] : ['spec', 'strategy', 'rollingUpdate', 'maxSurge'];
      const surge = surgeOf(getIn(data(server), strategyPath), maxReplicas);
      const extra = server.kind === 'Rollout' ? releaseExtraPods(repo.answers, maxReplicas, surge) : surge;
      const peakGpus = (maxReplicas + extra) * gpus;
      compared++;
      // One GPU per node: the GPU machine types of the generated tfvars carry one each.
      if (pool.nodes < peakGpus) {
        findings.push({
          file: tfvars,
          line: pool.line,
          message: `The ${environment} GPU pool has at most ${pool.nodes} one-GPU node${pool.nodes === 1 ? '' : 's'}, but ${server.kind} ${server.name} can run ${maxReplicas + extra} GPU pods at once (maxReplicas ${maxReplicas} + ${extra} during a ${server.kind === 'Rollout' ? 'canary release' : 'rolling update'}): pods stay Pending.`,
          fix: `Raise gpu_count_max to ${peakGpus} or lower maxReplicas of the ${environment} overlay (mlforge sizes the pool as ${release.scale[environment].peakPods} for maxReplicas ${release.scale[environment].maxReplicas}).`,
        });
      }
    }
  }
  return { findings, compared };
}

// ------------------------------------------------------- graceful shutdown

/** Seconds of a preStop sleep: `exec: [sleep, N]` (or through `sh -c "sleep N"`) or the native `sleep: {seconds: N}`. */
export function preStopSleepSeconds(preStop: unknown): number | undefined {
  const native = getIn(preStop, ['sleep', 'seconds']);
  if (typeof native === 'number') return native;
  const command = asArray(getIn(preStop, ['exec', 'command'])).map(String);
  if (command.length === 2 && /^(\/usr)?(\/bin\/)?sleep$/.test(command[0]!) && /^\d+$/.test(command[1]!)) return Number(command[1]);
  const shell = command.length === 3 && /^(\/usr)?(\/bin\/)?(ba)?sh$/.test(command[0]!) && command[1] === '-c' ? /^\s*sleep\s+(\d+)\s*$/.exec(command[2]!) : null;
  return shell ? Number(shell[1]) : undefined;
}

/** uvicorn's `--timeout-graceful-shutdown N` in the image's command, or undefined when it is not set. */
export function gracefulShutdownSeconds(command: string): number | undefined {
  const tokens = command.replace(/[[\]",]/g, ' ').split(/\s+/).filter(Boolean);
  for (let index = 0; index < tokens.length; index++) {
    const inline = /^--timeout-graceful-shutdown=(\d+)$/.exec(tokens[index]!);
    if (inline) return Number(inline[1]);
    if (tokens[index] === '--timeout-graceful-shutdown' && /^\d+$/.test(tokens[index + 1] ?? '')) return Number(tokens[index + 1]);
  }
  return undefined;
}

export const gracefulShutdownCheck: Rule = {
  title: 'Pods drain before they stop (preStop sleep, graceful shutdown within the grace period)',
  applies: () => true,
  async run(repo) {
    const release = deriveRelease(repo.answers);
    const findings: Finding[] = [];
    const stages = await readDockerfile(repo);
    const stage = stages && finalStage(stages);
    let graceful: number | undefined;
    if (!stage) findings.push(missingFile('Dockerfile', 'the service image is built from it'));
    else {
      const command = [...stage.instructions].reverse().find((instruction) => (instruction.keyword === 'CMD' || instruction.keyword === 'ENTRYPOINT') && instruction.text.includes('uvicorn'));
      graceful = command && gracefulShutdownSeconds(command.text);
      if (command && graceful === undefined) {
        findings.push({ file: 'Dockerfile', line: command.line, message: 'uvicorn runs without --timeout-graceful-shutdown: on SIGTERM it waits for open connections without a limit, until the kubelet kills it.', fix: `Add "--timeout-graceful-shutdown", "${release.gracefulShutdownSeconds}" to the command.` });
      }
    }
    const { objects, errors } = await baseObjects(repo);
    findings.push(...errors);
    const containers = (await appContainers(repo, objects)).filter((container) => ['Deployment', 'Rollout', 'InferenceService'].includes(container.object.kind));
    if (containers.length === 0) return stage ? outcome(findings, 'no model-server workload under deploy/k8s/base') : outcome(findings);
    for (const container of containers) {
      const { object } = container;
      const label = `${object.kind} ${object.name} container ${container.name}`;
      const sleep = preStopSleepSeconds(getIn(container.spec, ['lifecycle', 'preStop']));
      if (sleep === undefined) {
        findings.push({ ...where(object, container.path), message: `${label} has no preStop sleep: it gets SIGTERM while the Service and the ingress controller still send it requests.`, fix: `Add lifecycle.preStop.exec.command [sleep, "${release.preStopSleepSeconds}"] to the container.` });
      } else if (sleep < release.preStopSleepSeconds) {
        findings.push({ ...where(object, [...container.path, 'lifecycle', 'preStop']), message: `${label} sleeps ${sleep} s before SIGTERM, less than the ${release.preStopSleepSeconds} s endpoint removal may take.`, fix: `Sleep ${release.preStopSleepSeconds} s in the preStop hook.` });
      }
      const podPath = container.path.slice(0, -2);
      const grace = getIn(object.doc.data, [...podPath, 'terminationGracePeriodSeconds']);
      const period = typeof grace === 'number' ? grace : 30;
      const needed = (sleep ?? release.preStopSleepSeconds) + (graceful ?? release.gracefulShutdownSeconds) + release.shutdownMarginSeconds;
      if (period < needed) {
        findings.push({
          ...where(object, typeof grace === 'number' ? [...podPath, 'terminationGracePeriodSeconds'] : podPath),
          message: `${object.kind} ${object.name} gives its pods ${period} s${typeof grace === 'number' ? '' : ' (the default)'} to stop, less than the preStop sleep (${sleep ?? release.preStopSleepSeconds} s) + uvicorn's graceful shutdown (${graceful ?? release.gracefulShutdownSeconds} s) + ${release.shutdownMarginSeconds} s: in-flight requests are killed.`,
          fix: `Set terminationGracePeriodSeconds to at least ${needed}.`,
        });
      }
    }
    return outcome(findings, `${containers.length} model-server container${containers.length === 1 ? '' : 's'}`);
  },
};

// ------------------------------------------------------------ scraped once

const matches = (selector: unknown, labels: Record<string, unknown>) => {
  const wanted = asRecord(selector);
  return wanted !== undefined && Object.keys(wanted).length > 0 && Object.entries(wanted).every(([key, value]) => labels[key] === value);
};

/** The labels of a workload's pods as written (KServe adds its inferenceservice label itself). */
function podLabels(object: K8sObject): Record<string, unknown> {
  if (isInferenceService(object)) return { ...(asRecord(getIn(data(object), ['spec', 'predictor', 'labels'])) ?? {}), 'serving.kserve.io/inferenceservice': object.name };
  return asRecord(getIn(data(object), ['spec', 'template', 'metadata', 'labels'])) ?? {};
}

export const scrapedOnceCheck: Rule = {
  title: 'Prometheus scrapes each model-server pod once (and the canary analysis can tell canary pods)',
  applies: (repo) => repo.answers.monitoring,
  inapplicableReason: () => 'monitoring is off',
  async run(repo) {
    const { objects, errors } = await baseObjects(repo);
    const findings: Finding[] = [...errors];
    const servers = await modelServers(repo, objects);
    if (servers.length === 0) return skippedOutcome('no model-server workload found under deploy/k8s/base');
    const services = objects.filter((object) => object.kind === 'Service');
    const monitors = objects.filter((object) => object.kind === 'ServiceMonitor' || object.kind === 'PodMonitor');
    for (const server of servers) {
      const labels = podLabels(server);
      const scrapes: Array<{ via: string; monitor: K8sObject }> = [];
      for (const monitor of monitors) {
        const selector = getIn(data(monitor), ['spec', 'selector', 'matchLabels']);
        if (monitor.kind === 'PodMonitor') {
          if (matches(selector, labels)) asArray(getIn(data(monitor), ['spec', 'podMetricsEndpoints'])).forEach(() => scrapes.push({ via: `PodMonitor ${monitor.name}`, monitor }));
          continue;
        }
        for (const service of services) {
          if (!matches(selector, asRecord(getIn(data(service), ['metadata', 'labels'])) ?? {}) || !matches(getIn(data(service), ['spec', 'selector']), labels)) continue;
          asArray(getIn(data(monitor), ['spec', 'endpoints'])).forEach(() => scrapes.push({ via: `Service ${service.name} (ServiceMonitor ${monitor.name})`, monitor }));
        }
      }
      if (scrapes.length === 0) {
        findings.push({ ...where(server, ['metadata']), message: `No ServiceMonitor or PodMonitor scrapes the pods of ${server.kind} ${server.name}.`, fix: 'Select one headless metrics Service (or the pods, with a PodMonitor) that covers every model-server pod.' });
      } else if (scrapes.length > 1) {
        findings.push({ ...where(scrapes[1]!.monitor, ['spec', 'selector']), message: `Prometheus scrapes every pod of ${server.kind} ${server.name} ${scrapes.length} times: through ${scrapes.map((scrape) => scrape.via).join(', ')}; rates and counts come out multiplied.`, fix: 'Scrape through one Service (a headless metrics Service with its own component label) or one PodMonitor.' });
      }
      if (server.kind === 'Rollout' && scrapes.length > 0) findings.push(...canaryLabels(server, scrapes.map((scrape) => scrape.monitor), objects));
    }
    return outcome(findings, `${servers.map((server) => `${server.kind} ${server.name}`).join(', ')} scraped once`);
  },
};

/** With a canary, the series carry the pod-template hash and the analysis selects the canary's hash. */
function canaryLabels(rollout: K8sObject, monitors: readonly K8sObject[], objects: readonly K8sObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const monitor of new Set(monitors)) {
    if (!asArray(getIn(data(monitor), ['spec', 'podTargetLabels'])).includes('rollouts-pod-template-hash')) {
      findings.push({ ...where(monitor, ['spec']), message: `${monitor.kind} ${monitor.name} does not copy the pods' rollouts-pod-template-hash label: the canary's series look like the stable ones.`, fix: 'Add podTargetLabels: [rollouts-pod-template-hash].' });
    }
  }
  const steps = asArray(getIn(data(rollout), ['spec', 'strategy', 'canary', 'steps']));
  steps.forEach((step, index) => {
    const analysis = asRecord(asRecord(step)?.analysis);
    if (!analysis) return;
    const hashArgs = asArray(analysis.args).map(asRecord).filter((arg) => getIn(arg, ['valueFrom', 'podTemplateHashValue']) === 'Latest').map((arg) => String(arg?.name));
    if (hashArgs.length === 0) {
      findings.push({ ...where(rollout, ['spec', 'strategy', 'canary', 'steps', index, 'analysis']), message: `The analysis step ${index + 1} of Rollout ${rollout.name} does not pass the canary's pod-template hash (valueFrom.podTemplateHashValue: Latest).`, fix: 'Pass the hash as an argument and select rollouts_pod_template_hash with it in the queries.' });
      return;
    }
    for (const reference of asArray(analysis.templates).map((entry) => asRecord(entry)?.templateName)) {
      const template = objects.find((object) => object.kind === 'AnalysisTemplate' && object.name === reference);
      if (!template) continue;
      asArray(getIn(data(template), ['spec', 'metrics'])).forEach((metric, metricIndex) => {
        const query = getIn(metric, ['provider', 'prometheus', 'query']);
        if (typeof query !== 'string') return;
        if (!hashArgs.some((name) => query.includes(`rollouts_pod_template_hash="{{args.${name}}}"`))) {
          findings.push({ ...where(template, ['spec', 'metrics', metricIndex, 'provider', 'prometheus', 'query']), message: `The ${String(asRecord(metric)?.name)} query of AnalysisTemplate ${template.name} does not select the canary pods by rollouts_pod_template_hash: it measures stable and canary together.`, fix: `Select rollouts_pod_template_hash="{{args.${hashArgs[0]}}}" in the query.` });
        }
      });
    }
  });
  return findings;
}

// ------------------------------------------------------- canary with traffic

/** Whether a successCondition is false for an empty result. */
function requiresResult(condition: unknown): boolean {
  return typeof condition === 'string' && /^\s*len\(result\)\s*(==\s*1|>=\s*1|>\s*0)\s*&&/.test(condition);
}

/** A query whose last resort is a constant (`... or vector(0)`) returns a value when the canary had no requests. */
function endsInConstant(query: string): boolean {
  return /\bor\s+vector\s*\(\s*[-\d.]+\s*\)[\s)]*$/.test(query.trim());
}

export const canaryNeedsTrafficCheck: Rule = {
  title: 'The canary analysis fails when the canary has served no traffic',
  applies: (repo) => repo.answers.serving === 'fastapi' && repo.answers.rollout === 'canary',
  inapplicableReason: () => 'no canary rollout',
  async run(repo) {
    const release = deriveRelease(repo.answers);
    const { objects, errors } = await baseObjects(repo);
    const findings: Finding[] = [...errors];
    const templates = objects.filter((object) => object.kind === 'AnalysisTemplate');
    if (templates.length === 0) {
      findings.push({ file: 'deploy/k8s/base/analysis-template.yaml', message: 'Missing: the canary has no AnalysisTemplate, so nothing stops a bad release.', fix: 'Add an AnalysisTemplate with Prometheus metrics and reference it from the Rollout steps.' });
      return outcome(findings);
    }
    let trafficGate = false;
    for (const template of templates) {
      asArray(getIn(data(template), ['spec', 'metrics'])).forEach((entry, index) => {
        const metric = asRecord(entry) ?? {};
        const query = getIn(metric, ['provider', 'prometheus', 'query']);
        if (typeof query !== 'string') return;
        const at = (key: string) => where(template, ['spec', 'metrics', index, key]);
        const name = String(metric.name);
        if (!requiresResult(metric.successCondition)) {
          findings.push({ ...at('successCondition'), message: `The ${name} metric of AnalysisTemplate ${template.name} does not fail on an empty result (its successCondition does not start with len(result) == 1 &&).`, fix: 'Start the successCondition with `len(result) == 1 &&` so a canary without data fails.' });
        }
        if (endsInConstant(query)) {
          findings.push({ ...where(template, ['spec', 'metrics', index, 'provider', 'prometheus', 'query']), message: `The ${name} query of AnalysisTemplate ${template.name} falls back to a constant (or vector(...)): without requests it reports a passing value.`, fix: 'Drop the final `or vector(...)`; let an empty result fail the measurement.' });
        }
        const threshold = /result\[0\]\s*>=?\s*(\d+)/.exec(String(metric.successCondition ?? ''));
        if (query.includes(metricNames.requests) && /\bincrease\(/.test(query) && threshold && Number(threshold[1]) >= release.canaryMinRequests) trafficGate = true;
      });
    }
    if (!trafficGate) {
      findings.push({ ...where(templates[0]!, ['spec', 'metrics']), message: `No analysis metric requires the canary to have served at least ${release.canaryMinRequests} requests, so a canary nobody called can pass.`, fix: `Add a metric on sum(increase(${metricNames.requests}{...canary pods...}[${release.canaryWindow}])) with successCondition \`len(result) == 1 && result[0] >= ${release.canaryMinRequests}\`.` });
    }
    return outcome(findings, `${templates.length} AnalysisTemplate${templates.length === 1 ? '' : 's'}`);
  },
};
