// Every core combination x monitoring x gpu: the generated overlays build with
// kubectl kustomize, pass all four Kubernetes checks with no finding, and agree
// with the render context (and the Dockerfile) on image, port, probes and names.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deriveContext, type RenderContext } from '../../src/derive.js';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import { kubernetesChecks } from '../../src/doctor/validators/kubernetes.js';
import { buildOverlays, deployValuesExample, exampleValues, type BuiltObject } from '../../src/doctor/validators/kubernetes-build.js';
import { coreMatrix, generateRepo, templates } from '../helpers/generate.js';

type Json = Record<string, any>;

const combos = coreMatrix().flatMap((core) =>
  [false, true].flatMap((monitoring) => [false, true].map((gpu) => ({ ...core, monitoring, gpu }))),
);

function named(objects: BuiltObject[], kind: string, name: string): Json | undefined {
  return objects.find((object) => object.kind === kind && object.metadata?.name === name) as Json | undefined;
}

function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(exampleValues(text).trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

/** The model server's pod spec and container, whatever the serving and rollout. */
function modelServer(objects: BuiltObject[], ctx: RenderContext): { pod: Json; container: Json; podLabels: Json } {
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

/** API group of an apiVersion ('' for the core group). */
const apiGroup = (apiVersion: unknown) => (String(apiVersion).includes('/') ? String(apiVersion).split('/')[0]! : '');

/** Groups the cloud's namespace-scoped CI policy covers (EKS AmazonEKSEditPolicy, AKS RBAC Writer: built-in kinds only). */
const builtInGroups = new Set(['', 'apps', 'autoscaling', 'batch', 'networking.k8s.io', 'policy']);

/**
 * The CI identity can apply every object of every overlay: the overlays hold
 * namespaced, non-RBAC kinds only; on EKS and AKS each custom resource kind is
 * granted by the Role in deploy/k8s/cluster (bound to the EKS access entry's
 * group; on AKS to the identity's object ID by the documented command); GKE's
 * Kubernetes Engine Developer covers custom resources itself.
 */
function expectCiCanApply(cluster: BuiltObject[], overlays: BuiltObject[][], ctx: RenderContext): void {
  const namespace = named(cluster, 'Namespace', ctx.namespace)!;
  expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  for (const object of cluster.filter((o) => o.kind !== 'Namespace')) expect((object.metadata as Json).namespace).toBe(ctx.namespace);

  const applied = overlays.flat().filter((o) => !(ctx.isLocal && o.kind === 'Namespace'));
  for (const object of applied) {
    expect(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'CustomResourceDefinition']).not.toContain(object.kind);
  }
  const custom = [...new Set(applied.filter((o) => !builtInGroups.has(apiGroup(o.apiVersion))).map((o) => `${apiGroup(o.apiVersion)}/${String(o.kind).toLowerCase()}s`))].sort();
  // On a cloud the overlays always apply the ExternalSecrets and their stores (components/cloud-secrets).
  expect(custom.length > 0).toBe(ctx.hasTerraform || ctx.isCanary || ctx.isKserve || ctx.monitoring);

  const role = named(cluster, 'Role', `${ctx.name}-ci-custom-resources`);
  const binding = named(cluster, 'RoleBinding', `${ctx.name}-ci-custom-resources`);
  if (!(ctx.isAws || ctx.isAzure) || custom.length === 0) {
    expect([role, binding]).toEqual([undefined, undefined]);
    return;
  }
  const granted = (role!.rules as Json[])
    .filter((rule) => ['get', 'create', 'patch'].every((verb) => rule.verbs.includes(verb)))
    .flatMap((rule) => (rule.apiGroups as string[]).flatMap((group) => (rule.resources as string[]).map((resource) => `${group}/${resource}`)));
  expect(granted.sort()).toEqual(custom);
  if (ctx.isAws) {
    expect(binding!.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role!.metadata.name });
    expect(binding!.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: ctx.ciKubernetesGroup }]);
  } else {
    // The Azure identity's object ID differs per environment: the README's command binds it.
    expect(binding).toBeUndefined();
  }
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
    expect(builds.map((build) => build.overlay)).toEqual(['deploy/k8s/overlays/prod', 'deploy/k8s/overlays/staging', 'deploy/k8s/cluster']);
    const ok = builds.map((build) => {
      if (!build.ok) throw new Error(`${build.overlay}: ${build.error}`);
      return build;
    });
    const cluster = ok.pop()!.objects;
    expectCiCanApply(cluster, ok.map((build) => build.objects), ctx);

    for (const build of ok) {
      const objects = build.objects;
      const scale = ctx.release.scale[build.overlay.endsWith('/prod') ? 'prod' : 'staging'];

      // The namespace is an administrator's (deploy/k8s/cluster); only on kind do the overlays bring it.
      expect(Boolean(named(objects, 'Namespace', ctx.namespace))).toBe(ctx.isLocal);
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

      // MLflow runs as its own account, whose identity (MLFLOW_IDENTITY) may write artifacts.
      expect('MLFLOW_IDENTITY' in values).toBe(ctx.hasTerraform);
      const mlflowAccount = named(objects, 'ServiceAccount', ctx.mlflowServiceAccount)!;
      const mlflowAnnotation = Object.keys(expected[ctx.cloud]!)[0];
      expect(mlflowAccount.metadata.annotations ?? {}).toEqual(mlflowAnnotation ? { [mlflowAnnotation]: values.MLFLOW_IDENTITY } : {});
      expect(mlflowAccount.automountServiceAccountToken).toBe(false);
      if (ctx.hasTerraform) expect(values.MLFLOW_IDENTITY).not.toBe(Object.values(expected[ctx.cloud]!)[0]);
      const mlflow = named(objects, 'Deployment', 'mlflow')!.spec.template;
      expect(mlflow.spec.serviceAccountName).toBe(ctx.mlflowServiceAccount);
      expect(mlflow.metadata.labels['azure.workload.identity/use']).toBe(ctx.isAzure ? 'true' : undefined);

      // On a cloud the credentials come from the secret store; MLflow's store and Secrets are applied in the
      // registry phase with MLflow (the bootstrap's selector), the model server's API keys with the rest.
      const phase = (o: BuiltObject) => (o.metadata as Json).labels?.[ctx.training.phaseLabel] === ctx.training.phase;
      const external = objects.filter((o) => o.kind === 'ExternalSecret' || o.kind === 'SecretStore');
      if (ctx.hasTerraform) {
        expect(external.filter(phase).map((o) => `${String(o.kind)}/${String(o.metadata?.name)}`).sort()).toEqual(
          ['ExternalSecret/mlflow-auth', 'ExternalSecret/mlflow-backend', 'ExternalSecret/mlflow-users', 'SecretStore/mlflow-secrets'],
        );
        expect(external.filter((o) => !phase(o)).map((o) => `${String(o.kind)}/${String(o.metadata?.name)}`).sort()).toEqual(
          [`ExternalSecret/${ctx.apiKeys.secret}`, `SecretStore/${ctx.name}-secrets`],
        );
        const stores = Object.fromEntries(external.filter((o) => o.kind === 'SecretStore').map((o) => [String(o.metadata!.name), JSON.stringify((o as Json).spec.provider)]));
        expect(stores['mlflow-secrets']).toContain(`"name":"${ctx.mlflowServiceAccount}"`);
        expect(stores[`${ctx.name}-secrets`]).toContain(`"name":"${ctx.serviceAccount}"`);
        for (const account of [ctx.mlflowServiceAccount, ctx.serviceAccount]) expect(named(objects, 'ServiceAccount', account)).toBeDefined();
      } else {
        expect(external).toEqual([]);
      }

      if (ctx.isFastapi) {
        const ingress = named(objects, 'Ingress', ctx.name)!;
        expect(ingress.spec.ingressClassName).toBe('nginx');
        expect(ingress.spec.rules[0].host).toBe(values.INGRESS_HOST);
        expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toBe(ctx.name);
        const hpa = named(objects, 'HorizontalPodAutoscaler', ctx.name)!;
        expect(hpa.apiVersion).toBe('autoscaling/v2');
        expect(hpa.spec.scaleTargetRef.kind).toBe(ctx.isCanary ? 'Rollout' : 'Deployment');
        // The HPA alone sets the scale: the workload it targets has no replicas field.
        expect(named(objects, hpa.spec.scaleTargetRef.kind, ctx.name)!.spec.replicas).toBeUndefined();
        expect({ min: hpa.spec.minReplicas, max: hpa.spec.maxReplicas }).toEqual({ min: scale.minReplicas, max: scale.maxReplicas });
      } else {
        const predictor = named(objects, 'InferenceService', ctx.name)!.spec.predictor;
        expect({ min: predictor.minReplicas, max: predictor.maxReplicas }).toEqual({ min: scale.minReplicas, max: scale.maxReplicas });
        expect(predictor.deploymentStrategy.rollingUpdate).toEqual({ maxSurge: ctx.release.maxSurge, maxUnavailable: 0 });
      }
      // Shutdown: the preStop sleep, then uvicorn's graceful shutdown, inside the grace period.
      expect(container.lifecycle.preStop).toEqual({ exec: { command: ['sleep', String(ctx.release.preStopSleepSeconds)] } });
      expect(pod.terminationGracePeriodSeconds).toBe(ctx.release.preStopSleepSeconds + ctx.release.gracefulShutdownSeconds + ctx.release.shutdownMarginSeconds);
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
        // One headless metrics Service: each pod is one target (the stable and canary Services are not scraped).
        expect(scraped.map((service) => service.metadata.name)).toEqual([`${ctx.name}-metrics`]);
        expect(scraped[0]!.spec.clusterIP).toBe('None');
        expect(named(objects, 'ServiceMonitor', ctx.name)!.spec.podTargetLabels).toEqual(ctx.isCanary ? ['rollouts-pod-template-hash'] : undefined);
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
        expect(job.command).toEqual(['python', '-m', `${ctx.packageName}.drift`, '--require-current']);
        // Suspended until recent inputs are configured: never a check of the training data against itself.
        expect(drift!.spec.suspend).toBe(true);
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

  it.each([
    { cloud: 'aws', ci: 'github' },
    { cloud: 'gcp', ci: 'gitlab' },
    { cloud: 'azure', ci: 'github' },
    { cloud: 'local', ci: 'gitlab' },
  ] as const)('the deploy values flow from CI through write-deploy-values.sh into the $cloud manifests', async (combo) => {
    const { dir, plan } = await generateRepo(combo);
    const ctx = deriveContext(plan.answers, (await templates()).versions, plan.mlforgeVersion);
    const values = parseEnv(await readFile(join(dir, deployValuesExample), 'utf8'));
    const keys = Object.keys(values);
    expect(keys.includes('MLFLOW_IDENTITY')).toBe(ctx.hasTerraform);

    // Every key the script requires is passed by the CI deploy step.
    if (ctx.hasTerraform) {
      const deploy = await readFile(join(dir, ctx.isGithub ? '.github/actions/deploy/action.yml' : '.gitlab-ci.yml'), 'utf8');
      for (const key of keys) expect(deploy, key).toMatch(new RegExp(`"${key}=`));
    }

    const script = join(dir, 'deploy/k8s/write-deploy-values.sh');
    const args = (entries: Array<[string, string]>) => ['staging', ...entries.map(([key, value]) => `${key}=${value}`)];
    if (ctx.hasTerraform) {
      const missing = await execa('sh', [script, ...args(Object.entries(values).filter(([key]) => key !== 'MLFLOW_IDENTITY'))], { reject: false });
      expect(missing.exitCode).toBe(2);
      expect(missing.stderr).toContain('MLFLOW_IDENTITY is required');
    }
    const identity = { aws: 'arn:aws:iam::210987654321:role/from-ci', gcp: 'from-ci@p.iam.gserviceaccount.com', azure: '22222222-2222-2222-2222-222222222222', local: '' }[ctx.cloud];
    const written = await execa('sh', [script, ...args(Object.entries({ ...values, ...(ctx.hasTerraform ? { MLFLOW_IDENTITY: identity } : {}) }))], { reject: false });
    expect(written.stderr).toBe('');
    expect(written.exitCode).toBe(0);

    const built = await execa('kubectl', ['kustomize', join(dir, 'deploy/k8s/overlays/staging')]);
    const account = built.stdout
      .split(/^---$/m)
      .map((doc) => parse(doc) as Json)
      .find((object) => object?.kind === 'ServiceAccount' && object.metadata.name === ctx.mlflowServiceAccount)!;
    expect(Object.values(account.metadata.annotations ?? {})).toEqual(ctx.hasTerraform ? [identity] : []);
  });
});
