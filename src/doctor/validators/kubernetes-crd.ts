// JSON Schemas (src/doctor/schemas) for the custom resources mlforge generates.
// No CRD can be fetched offline, so each schema is written from the resource's
// documented fields; unknown keys are rejected where the documentation lists
// every field, so a typo fails instead of being ignored by the controller.

import type { ErrorObject, ValidateFunction } from 'ajv';
import { requireOptional } from '../tools/optional-module.js';
import analysisTemplate from '../schemas/analysis-template.json' with { type: 'json' };
import externalSecret from '../schemas/external-secret.json' with { type: 'json' };
import inferenceService from '../schemas/inference-service.json' with { type: 'json' };
import prometheusRule from '../schemas/prometheus-rule.json' with { type: 'json' };
import rollout from '../schemas/rollout.json' with { type: 'json' };
import secretStore from '../schemas/secret-store.json' with { type: 'json' };
import serviceMonitor from '../schemas/service-monitor.json' with { type: 'json' };

const schemas: Record<string, object> = {
  'argoproj.io/v1alpha1/Rollout': rollout,
  'argoproj.io/v1alpha1/AnalysisTemplate': analysisTemplate,
  'serving.kserve.io/v1beta1/InferenceService': inferenceService,
  'monitoring.coreos.com/v1/ServiceMonitor': serviceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': prometheusRule,
  'external-secrets.io/v1/ExternalSecret': externalSecret,
  'external-secrets.io/v1/SecretStore': secretStore,
};

let compiled: Map<string, ValidateFunction> | undefined;

/** Compiles the schemas with the optional ajv; customResourceValidator needs it done. */
export async function loadCustomResourceSchemas(check: string): Promise<void> {
  if (compiled) return;
  const { Ajv } = await requireOptional<typeof import('ajv')>('ajv', check);
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, strictTypes: false, allowUnionTypes: true });
  compiled = new Map(Object.entries(schemas).map(([key, schema]) => [key, ajv.compile(schema)]));
}

/** The validator for apiVersion/kind, or undefined when mlforge has no schema for it. */
export function customResourceValidator(apiVersion: string, kind: string): ValidateFunction | undefined {
  if (!compiled) throw new Error('customResourceValidator: call loadCustomResourceSchemas() first');
  return compiled.get(`${apiVersion}/${kind}`);
}

export const customResourceKinds = Object.keys(schemas);

/** "spec.strategy: must have required property 'canary'" style messages, without duplicates. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  const messages = (errors ?? []).map((error) => {
    const path = error.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.') || '(root)';
    const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
    return `${path}: ${error.message ?? error.keyword}${extra}`;
  });
  return [...new Set(messages)];
}
