// Every core combination x monitoring x gpu: the generated overlays build with
// kubectl kustomize, pass all four Kubernetes checks with no finding, and agree
// with the render context (and the Dockerfile) on image, port, probes and names.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deriveContext, type RenderContext } from '../../src/derive.js';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import { kubernetesChecks } from '../../src/doctor/validators/kubernetes.js';
import { buildOverlays, deployValuesExample, exampleValues, type K8sObject } from '../../src/doctor/validators/kubernetes-build.js';
import { coreMatrix, generateRepo, templates } from '../helpers/generate.js';

type Json = Record<string, any>;

const combos = coreMatrix().flatMap((core) =>
  [false, true].flatMap((monitoring) => [false, true].map((gpu) => ({ ...core, monitoring, gpu }))),
);

function named(objects: K8sObject[], kind: string, name: string): Json | undefined {
  return objects.find((object) => object.kind === kind && object.metadata?.name === name) as Json | undefined;
}

function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(exampleValues(text).trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

/** The model server's pod spec and container, whatever the serving and rollout. */
function modelServer(objects: K8sObject[], ctx: RenderContext): { pod: Json; container: Json; podLabels: Json } {
  if (ctx.isKserve) {
    const predictor = named(objects, 'InferenceService', ctx.name)!.spec.predictor;
    return { pod: predictor, container: predictor.containers.find((c: Json) => c.name === 'kserve-container'), podLabels: predictor.labels };
  }
  const workload = named(objects, ctx.isCanary ? 'Rollout' : 'Deployment', ctx.name)!;
  const pod = workload.spec.template.spec;
  return { pod, container: pod.containers.find((c: Json) => c.name === 'model-server'), podLabels: workload.spec.template.metadata.labels };
}

/** A probe's port as a number (a named port resolves through the container's ports). */
function probePort(probe: Json, container: Json): number {
  const port = probe.httpGet.port;
  return typeof port === 'number' ? port : container.ports.find((p: Json) => p.name === port).containerPort;
}

describe('generated Kubernetes manifests', () => {
  it.each(combos)('$cloud $ci $serving $rollout monitoring=$monitoring gpu=$gpu', async (combo) => {
    const { dir, plan } = await generateRepo(combo);
    const ctx = deriveContext(plan.answers, (await templates()).versions, plan.mlforgeVersion);
    const repo = await loadRepoView(dir);

    for (const check of kubernetesChecks) {
      const result = await check.run(repo);
      expect({ check: check.id, status: result.status, findings: result.findings }).toEqual({ check: check.id, status: 'passed', findings: [] });
    }

    const values = parseEnv(await readFile(join(dir, deployValuesExample), 'utf8'));
    const builds = await buildOverlays(repo);
    expect(builds.map((build) => build.overlay)).toEqual(['deploy/k8s/overlays/prod', 'deploy/k8s/overlays/staging']);

    for (const build of builds) {
      if (!build.ok) throw new Error(`${build.overlay}: ${build.error}`);
      const objects = build.objects;

      const namespace = named(objects, 'Namespace', ctx.namespace)!;
      expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
      for (const object of objects.filter((o) => o.kind !== 'Namespace')) expect((object.metadata as Json).namespace).toBe(ctx.namespace);

      // The model server: which kind carries it.
      expect(Boolean(named(objects, 'InferenceService', ctx.name))).toBe(ctx.isKserve);
      expect(Boolean(named(objects, 'Rollout', ctx.name))).toBe(ctx.isCanary);
      expect(Boolean(named(objects, 'Deployment', ctx.name))).toBe(ctx.isFastapi && !ctx.isCanary);
      expect(Boolean(named(objects, 'Service', ctx.name))).toBe(ctx.isFastapi);
      expect(Boolean(named(objects, 'HorizontalPodAutoscaler', ctx.name))).toBe(ctx.isFastapi);
      expect(Boolean(named(objects, 'Ingress', ctx.name))).toBe(ctx.isFastapi);
      expect(Boolean(named(objects, 'AnalysisTemplate', `${ctx.name}-canary-health`))).toBe(ctx.isCanary);
      expect(Boolean(named(objects, 'Service', `${ctx.name}-canary`))).toBe(ctx.isCanary);

      const { pod, container, podLabels } = modelServer(objects, ctx);
      expect(container.image).toBe(values.IMAGE);
      expect(container.image.replace(/[:@].*$/, '').endsWith(`/${ctx.imageName}`)).toBe(true);
      expect(container.ports.map((p: Json) => p.containerPort)).toEqual([ctx.port]);
      expect(container.startupProbe.httpGet.path).toBe(ctx.readyPath);
      expect(container.readinessProbe.httpGet.path).toBe(ctx.readyPath);
      expect(container.livenessProbe.httpGet.path).toBe(ctx.healthPath);
      for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe]) expect(probePort(probe, container)).toBe(ctx.port);
      expect(container.env).toContainEqual({ name: 'GIT_SHA', value: values.GIT_SHA });
      expect(pod.securityContext.runAsUser).toBe(ctx.runAsUser);
      expect(pod.serviceAccountName).toBe(ctx.serviceAccount);

      const configName = container.envFrom[0].configMapRef.name;
      const config = named(objects, 'ConfigMap', configName)!;
      expect(config.data.MLFLOW_TRACKING_URI).toBe(`http://mlflow:${ctx.mlflowPort}`);
      expect(config.data[`${ctx.envPrefix}MODEL_NAME`]).toBe(ctx.modelName);
      expect(config.data[`${ctx.envPrefix}MODEL_ALIAS`]).toBe(ctx.championAlias);
      expect(named(objects, 'Service', 'mlflow')!.spec.ports[0].port).toBe(ctx.mlflowPort);

      // Workload identity: the annotation Terraform's output fills, per cloud.
      const account = named(objects, 'ServiceAccount', ctx.serviceAccount)!;
      const annotations = account.metadata.annotations ?? {};
      const expected: Record<string, Record<string, string>> = {
        aws: { 'eks.amazonaws.com/role-arn': values.AWS_ROLE_ARN! },
        gcp: { 'iam.gke.io/gcp-service-account': values.GCP_SERVICE_ACCOUNT! },
        azure: { 'azure.workload.identity/client-id': values.AZURE_CLIENT_ID! },
        local: {},
      };
      expect(annotations).toEqual(expected[ctx.cloud]);
      expect(podLabels['azure.workload.identity/use']).toBe(ctx.isAzure ? 'true' : undefined);

      if (ctx.isFastapi) {
        const ingress = named(objects, 'Ingress', ctx.name)!;
        expect(ingress.spec.ingressClassName).toBe('nginx');
        expect(ingress.spec.rules[0].host).toBe(values.INGRESS_HOST);
        expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toBe(ctx.name);
        const hpa = named(objects, 'HorizontalPodAutoscaler', ctx.name)!;
        expect(hpa.apiVersion).toBe('autoscaling/v2');
        expect(hpa.spec.scaleTargetRef.kind).toBe(ctx.isCanary ? 'Rollout' : 'Deployment');
      }
      // Selectors select the model-server pods (KServe adds its own label to the predictor pods).
      const podLabelSet: Json = ctx.isKserve ? { ...podLabels, 'serving.kserve.io/inferenceservice': ctx.name } : podLabels;
      const selects = (selector: Json) => Object.entries(selector).every(([key, value]) => podLabelSet[key] === value);
      expect(selects(named(objects, 'PodDisruptionBudget', ctx.name)!.spec.selector.matchLabels)).toBe(true);
      expect(selects(named(objects, 'NetworkPolicy', `${ctx.name}-model-server`)!.spec.podSelector.matchLabels)).toBe(true);
      const services = objects.filter((o) => o.kind === 'Service' && (o.metadata as Json).labels?.['app.kubernetes.io/name'] === ctx.name) as Json[];
      for (const service of services) expect(selects(service.spec.selector), service.metadata.name).toBe(true);
      if (ctx.monitoring) {
        const monitorSelector = named(objects, 'ServiceMonitor', ctx.name)!.spec.selector.matchLabels;
        const scraped = services.filter((service) => Object.entries(monitorSelector).every(([key, value]) => service.metadata.labels[key] === value));
        const expectedScraped = ctx.isKserve ? [`${ctx.name}-metrics`] : ctx.isCanary ? [ctx.name, `${ctx.name}-canary`] : [ctx.name];
        expect(scraped.map((service) => service.metadata.name).sort()).toEqual(expectedScraped.sort());
        for (const service of scraped) expect(probePort({ httpGet: { port: service.spec.ports[0].targetPort } }, container)).toBe(ctx.port);
      }

      const policy = named(objects, 'NetworkPolicy', `${ctx.name}-model-server`)!;
      expect(policy.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: ctx.port }]);
      expect(named(objects, 'NetworkPolicy', 'default-deny')!.spec.policyTypes).toEqual(['Ingress', 'Egress']);

      // GPU: one GPU, the taint toleration and the GPU pool's node label.
      expect(container.resources.limits['nvidia.com/gpu']).toBe(ctx.gpu ? 1 : undefined);
      expect(pod.nodeSelector).toEqual(ctx.gpu ? { pool: 'gpu' } : undefined);
      expect(pod.tolerations?.[0]?.key).toBe(ctx.gpu ? 'nvidia.com/gpu' : undefined);

      const monitor = named(objects, 'ServiceMonitor', ctx.name);
      const drift = named(objects, 'CronJob', `${ctx.name}-drift`);
      const dashboard = named(objects, 'ConfigMap', `${ctx.name}-dashboard`);
      expect([monitor, drift, dashboard, named(objects, 'PrometheusRule', ctx.name)].map(Boolean)).toEqual(Array(4).fill(ctx.monitoring));
      if (ctx.monitoring) {
        expect(monitor!.spec.endpoints[0]).toMatchObject({ port: 'http', path: ctx.metricsPath });
        const job = drift!.spec.jobTemplate.spec.template.spec.containers[0];
        expect(job.command).toEqual(['python', '-m', `${ctx.packageName}.drift`]);
        expect(job.image).toBe(values.IMAGE);
        const board = JSON.parse(dashboard!.data[`${ctx.name}.json`]);
        expect(board.panels.map((panel: Json) => panel.title)).toEqual(
          expect.arrayContaining(['Request rate', 'Latency quantiles', 'Error ratio (5xx)', 'Prediction distribution', 'Model version']),
        );
      }
    }

    // --cloud local: a kind cluster named after the project, on the pinned node image, with the ingress ports mapped.
    expect(repo.exists('deploy/kind/kind-config.yaml')).toBe(ctx.isLocal);
    if (ctx.isLocal) {
      const kind = parse(await repo.read('deploy/kind/kind-config.yaml')) as Json;
      expect(kind).toMatchObject({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', name: ctx.name });
      expect(kind.nodes.map((node: Json) => node.image)).toEqual([ctx.versions.k8s!.kindNodeImage, ctx.versions.k8s!.kindNodeImage]);
      expect(kind.nodes[0].extraPortMappings.map((mapping: Json) => mapping.hostPort)).toEqual([80, 443]);
    }
  });

  it.each([{ serving: 'fastapi' }, { serving: 'kserve' }] as const)('the Dockerfile exposes the port the $serving manifests probe', async (combo) => {
    const { dir, plan } = await generateRepo(combo);
    const ctx = deriveContext(plan.answers, (await templates()).versions, plan.mlforgeVersion);
    const repo = await loadRepoView(dir);
    if (!repo.exists('Dockerfile')) throw new Error('the generated repository has no Dockerfile to compare EXPOSE with');
    const dockerfile = DockerfileParser.parse(await repo.read('Dockerfile'));
    const exposed = dockerfile
      .getInstructions()
      .filter((instruction) => instruction.getKeyword() === 'EXPOSE')
      .flatMap((instruction) => instruction.getArgumentsContent()?.split(/\s+/) ?? []);
    expect(exposed.map((port) => port.replace(/\/tcp$/, ''))).toEqual([String(ctx.port)]);
  });
});
