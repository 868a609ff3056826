// Kubernetes checks of a generated repository: every overlay builds with the
// real kustomize, every built object matches the Kubernetes schemas (types and
// field names), every pod meets the restricted Pod Security Standard, and the
// custom resources match mlforge's schemas of their documented fields.

import type { CheckResult, Finding, RepoView, Rule } from '../types.js';
import { requireOptional } from '../tools/optional-module.js';
import { k8sDir } from '../parse/k8s-manifests.js';
import { buildOverlays, objectLabel, kubectlProbe, locate, overlayDirs, type BuiltObject, type OverlayBuild } from './kubernetes-build.js';
import { customResourceValidator, describeErrors, loadCustomResourceSchemas } from './kubernetes-crd.js';
import { coreDefinitionFile, definitionFile, unknownFields } from './kubernetes-known-fields.js';
import { podTemplates, readOnlyRootViolations, restrictedViolations } from './kubernetes-pod-security.js';

type Outcome = Omit<CheckResult, 'id' | 'title' | 'group'>;

/** Text base manifests carry where an overlay must replace a deploy-time value. */
const unreplacedMarker = 'set-from-deploy-values';

const hasOverlays = (repo: RepoView) => overlayDirs(repo).length > 0;

/**
 * Runs `inspect` on each built object of each overlay. Builds that fail are
 * left to kustomizeBuildCheck; without kubectl the check is skipped.
 */
async function forEachBuiltObject(
  repo: RepoView,
  inspect: (object: BuiltObject, overlay: string) => Promise<Finding[]> | Finding[],
): Promise<Outcome> {
  const kubectl = await kubectlProbe(repo);
  if (!kubectl.ok) return { status: 'skipped', reason: kubectl.reason, findings: [] };
  const builds = await buildOverlays(repo);
  const built = builds.filter((build): build is Extract<OverlayBuild, { ok: true }> => build.ok);
  if (built.length === 0) return { status: 'skipped', reason: 'no overlay builds (see the kustomize build check)', findings: [] };
  const findings: Finding[] = [];
  for (const build of built) for (const object of build.objects) findings.push(...(await inspect(object, build.overlay)));
  const unbuilt = builds.length - built.length;
  return {
    status: findings.length > 0 ? 'failed' : 'passed',
    reason: `${built.reduce((sum, build) => sum + build.objects.length, 0)} objects from ${built.map((build) => build.overlay).join(', ')}${unbuilt > 0 ? `; ${unbuilt} overlay(s) did not build` : ''}`,
    findings,
  };
}

async function finding(repo: RepoView, overlay: string, object: BuiltObject, message: string, fix: string): Promise<Finding> {
  const location = await locate(repo, overlay, object);
  return { ...location, message: `${objectLabel(object, overlay)}: ${message}`, fix };
}

export const kustomizeBuildCheck: Rule = {
  title: 'Every Kubernetes overlay builds with kubectl kustomize',
  applies: hasOverlays,
  async run(repo) {
    const kubectl = await kubectlProbe(repo);
    if (!kubectl.ok) return { status: 'skipped', reason: kubectl.reason, findings: [] };
    const findings: Finding[] = [];
    const notes: string[] = [];
    for (const build of await buildOverlays(repo)) {
      if (!build.ok) {
        findings.push({
          file: `${build.overlay}/kustomization.yaml`,
          message: `kubectl kustomize ${build.overlay} failed: ${build.error}`,
          fix: 'make every resource, component and patch the kustomization names exist and match',
        });
        continue;
      }
      if (build.note) notes.push(build.note);
      for (const object of build.objects) {
        if (JSON.stringify(object).includes(unreplacedMarker)) {
          findings.push(
            await finding(repo, build.overlay, object, `still contains "${unreplacedMarker}" after the overlay's replacements`, `add a replacement for it to ${k8sDir}/components/deploy-values`),
          );
        }
      }
    }
    return { status: findings.length > 0 ? 'failed' : 'passed', reason: notes.join('; ') || undefined, findings };
  },
};

export const kubernetesSchemaCheck: Rule = {
  title: 'Built Kubernetes objects match the Kubernetes schemas (kubernetes-models), with no unknown fields',
  applies: hasOverlays,
  async run(repo) {
    await requireOptional('kubernetes-models', 'validator.kubernetes-schema');
    await loadCustomResourceSchemas('validator.kubernetes-schema');
    return forEachBuiltObject(repo, async (object, overlay) => {
      const apiVersion = String(object.apiVersion);
      const kind = String(object.kind);
      const report = (message: string, fix: string) => finding(repo, overlay, object, message, fix);
      if (customResourceValidator(apiVersion, kind)) return Promise.all(embeddedPodSpecProblems(object).map(({ message, fix }) => report(message, fix)));
      const file = definitionFile(apiVersion, kind);
      if (!file) return [await report(`unknown apiVersion/kind ${apiVersion}/${kind}`, 'use an API version the Kubernetes API serves')];
      const messages = [...(await modelErrors(apiVersion, kind, object)), ...unknownFields(object, file).map((path) => `unknown field ${path}`)];
      return Promise.all(messages.map((message) => report(message, 'fix the field name or type to match the Kubernetes API reference')));
    });
  },
};

/** kubernetes-models' own validation (types, enums, required fields). */
async function modelErrors(apiVersion: string, kind: string, object: BuiltObject): Promise<string[]> {
  const specifier = `kubernetes-models/${apiVersion}/${kind}`;
  const module = (await import(/* @vite-ignore */ specifier)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = module[kind];
  if (!Model) return [`kubernetes-models has no ${kind} in ${apiVersion}`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: Array<{ instancePath: string; message?: string }> }).errors;
    if (!errors) return [(error as Error).message];
    return errors.map((entry) => `${entry.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(root)'}: ${entry.message ?? 'invalid'}`);
  }
}

/** KServe component fields that are not PodSpec fields. */
const kserveExtensionFields = new Set(['minReplicas', 'maxReplicas', 'scaleTarget', 'scaleMetric', 'containerConcurrency', 'timeout', 'canaryTrafficPercent', 'logger', 'batcher', 'labels', 'annotations', 'deploymentStrategy', 'model', 'sklearn', 'xgboost', 'tensorflow', 'pytorch', 'triton', 'onnx', 'huggingface', 'pmml', 'lightgbm', 'paddle', 'workerSpec']);

/** Pod templates inside custom resources are core/v1 types: check their field names and types too. */
function embeddedPodSpecProblems(object: BuiltObject): Array<{ message: string; fix: string }> {
  const fix = 'fix the field name or type to match the Kubernetes PodSpec reference';
  if (object.kind === 'Rollout') {
    const template = (object.spec as Record<string, unknown> | undefined)?.template;
    if (template === undefined) return [];
    return unknownFields(template, coreDefinitionFile('PodTemplateSpec'), 'spec.template').map((path) => ({ message: `unknown field ${path}`, fix }));
  }
  if (object.kind === 'InferenceService') {
    return podTemplates(object).flatMap((template) => {
      const podSpec = Object.fromEntries(Object.entries(template.spec).filter(([key]) => !kserveExtensionFields.has(key)));
      return unknownFields(podSpec, coreDefinitionFile('PodSpec'), template.path).map((path) => ({ message: `unknown field ${path}`, fix }));
    });
  }
  return [];
}

export const podSecurityCheck: Rule = {
  title: 'Every pod template meets the restricted Pod Security Standard',
  applies: hasOverlays,
  run: (repo) =>
    forEachBuiltObject(repo, (object, overlay) =>
      Promise.all(
        podTemplates(object)
          .flatMap((template) => [...restrictedViolations(template), ...readOnlyRootViolations(template)])
          .map((violation) => finding(repo, overlay, object, `${violation.path}: ${violation.message}`, violation.fix)),
      ),
    ),
};

export const customResourceCheck: Rule = {
  title: 'Argo Rollouts, KServe, prometheus-operator and External Secrets resources match their documented fields',
  applies: hasOverlays,
  async run(repo) {
    await loadCustomResourceSchemas('validator.kubernetes-custom-resources');
    return forEachBuiltObject(repo, async (object, overlay) => {
      const kind = String(object.kind);
      const validate = customResourceValidator(String(object.apiVersion), kind);
      if (!validate || validate(object as unknown)) return [];
      return Promise.all(
        describeErrors(validate.errors).map((message) => finding(repo, overlay, object, message, `compare with the ${kind} reference documentation`)),
      );
    });
  },
};

export const kubernetesChecks: readonly Rule[] = [kustomizeBuildCheck, kubernetesSchemaCheck, podSecurityCheck, customResourceCheck];
