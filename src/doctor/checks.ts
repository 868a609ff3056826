// Every check `mlforge doctor` runs, in report order. This registry alone
// gives each rule its group and id (`<group>.<name>`); the rule modules say
// only what they check. mlforge's own tests use the same objects.

import { factsCheck } from './agreement/facts.js';
import { documentedCiInputsCheck } from './agreement/documented-ci-inputs.js';
import { imageRepositoryCheck } from './agreement/image-repository.js';
import { modelNameCheck } from './agreement/model-name.js';
import { portAgreementCheck } from './agreement/port.js';
import { probeRoutesCheck } from './agreement/probe-routes.js';
import { pythonVersionCheck } from './agreement/python-version.js';
import { oidcCheck } from './practices/ci-practices.js';
import { cloudSecretsCheck } from './practices/cloud-secrets.js';
import { nonRootImageCheck, probesCheck, resourceLimitsCheck } from './practices/container-hardening.js';
import { firstChampionCheck } from './practices/first-champion.js';
import { retrainInClusterCheck } from './practices/retrain-in-cluster.js';
import { planIdentityCheck } from './practices/plan-identity.js';
import { mlflowAuthCheck } from './practices/mlflow-auth.js';
import { driftMonitoringCheck, qualityGateCheck, rollbackCheck } from './practices/ml-lifecycle.js';
import { logRetentionCheck } from './practices/log-retention.js';
import { networkPolicyEnforcedCheck } from './practices/network-policy.js';
import { predictExposureCheck } from './practices/predict-exposure.js';
import { autoscalerOwnsReplicasCheck, canaryNeedsTrafficCheck, gracefulShutdownCheck, scrapedOnceCheck } from './practices/k8s-release.js';
import { noSecretsCheck } from './practices/no-secrets.js';
import { scannedImagePushedCheck } from './practices/release-image.js';
import { answersTextCheck, leftoversCheck, regularFilesCheck } from './repository/repository-checks.js';
import type { RegisteredCheck, CheckGroup, Rule } from './types.js';
import { gitlabSecurityCheck, workflowSecurityCheck } from './validators/ci-security.js';
import { dockerfileCheck } from './validators/dockerfile.js';
import { actionlintCheck, shellcheckCheck } from './validators/github-actions.js';
import { mlflowServerCheck } from './agreement/mlflow-server.js';
import { checkovCheck } from './validators/checkov.js';
import { hadolintCheck } from './validators/hadolint.js';
import { gitlabCiCheck, gitlabShellcheckCheck } from './validators/gitlab-ci.js';
import { customResourceCheck, kubernetesSchemaCheck, kustomizeBuildCheck, podSecurityCheck } from './validators/kubernetes.js';
import { ruffCheck } from './validators/ruff.js';
import { zizmorCheck } from './validators/zizmor.js';
import { terraformFmtCheck, terraformParseCheck, terraformValidateCheck } from './validators/terraform.js';
import { terraformSchemaCheck } from './validators/terraform-schema.js';

const registry: ReadonlyArray<readonly [CheckGroup, string, Rule]> = [
  ['repository', 'regular-files', regularFilesCheck],
  ['repository', 'answers', answersTextCheck],
  ['repository', 'leftovers', leftoversCheck],

  ['agreement', 'facts', factsCheck],
  ['agreement', 'port', portAgreementCheck],
  ['agreement', 'probe-routes', probeRoutesCheck],
  ['agreement', 'image-repository', imageRepositoryCheck],
  ['agreement', 'python-version', pythonVersionCheck],
  ['agreement', 'model-name', modelNameCheck],
  ['agreement', 'mlflow-server', mlflowServerCheck],
  ['agreement', 'ci-inputs-documented', documentedCiInputsCheck],

  ['validator', 'actionlint', actionlintCheck],
  ['validator', 'shellcheck-workflows', shellcheckCheck],
  ['validator', 'gitlab-ci-local', gitlabCiCheck],
  ['validator', 'shellcheck-gitlab', gitlabShellcheckCheck],
  ['validator', 'kubernetes-kustomize-build', kustomizeBuildCheck],
  ['validator', 'kubernetes-schema', kubernetesSchemaCheck],
  ['validator', 'kubernetes-custom-resources', customResourceCheck],
  ['validator', 'kubernetes-pod-security', podSecurityCheck],
  ['validator', 'terraform-fmt', terraformFmtCheck],
  ['validator', 'terraform-parse', terraformParseCheck],
  ['validator', 'terraform-validate', terraformValidateCheck],
  ['validator', 'terraform-schema', terraformSchemaCheck],
  ['validator', 'dockerfile', dockerfileCheck],
  ['validator', 'ruff', ruffCheck],
  ['validator', 'zizmor', zizmorCheck],
  ['validator', 'hadolint', hadolintCheck],
  ['validator', 'checkov', checkovCheck],

  ['practice', 'workflow-security', workflowSecurityCheck],
  ['practice', 'gitlab-ci-security', gitlabSecurityCheck],
  ['practice', 'non-root', nonRootImageCheck],
  ['practice', 'probes', probesCheck],
  ['practice', 'resources', resourceLimitsCheck],
  ['practice', 'autoscaler-owns-replicas', autoscalerOwnsReplicasCheck],
  ['practice', 'graceful-shutdown', gracefulShutdownCheck],
  ['practice', 'metrics-scraped-once', scrapedOnceCheck],
  ['practice', 'canary-analysis-traffic', canaryNeedsTrafficCheck],
  ['practice', 'predict-exposure', predictExposureCheck],
  ['practice', 'network-policy-enforced', networkPolicyEnforcedCheck],
  ['practice', 'log-retention', logRetentionCheck],
  ['practice', 'oidc', oidcCheck],
  ['practice', 'plan-identity', planIdentityCheck],
  ['practice', 'scanned-image', scannedImagePushedCheck],
  ['practice', 'quality-gate', qualityGateCheck],
  ['practice', 'first-champion', firstChampionCheck],
  ['practice', 'retrain-in-cluster', retrainInClusterCheck],
  ['practice', 'mlflow-auth', mlflowAuthCheck],
  ['practice', 'cloud-secrets', cloudSecretsCheck],
  ['practice', 'drift-monitoring', driftMonitoringCheck],
  ['practice', 'rollback', rollbackCheck],
  ['practice', 'no-secrets', noSecretsCheck],
];

const byRule = new Map<Rule, RegisteredCheck>(registry.map(([group, name, rule]) => [rule, { ...rule, id: `${group}.${name}`, group }]));

export const allChecks: readonly RegisteredCheck[] = [...byRule.values()];

/** The registered check of a rule (tests import rules from their modules). */
export function registered(rule: Rule): RegisteredCheck {
  const check = byRule.get(rule) ?? ((rule as Partial<RegisteredCheck>).id ? (rule as RegisteredCheck) : undefined);
  if (!check) throw new Error(`rule "${rule.title}" is not in the doctor registry`);
  return check;
}

export const repositoryChecks = allChecks.filter((check) => check.group === 'repository');
export const agreementChecks = allChecks.filter((check) => check.group === 'agreement');
export const validatorChecks = allChecks.filter((check) => check.group === 'validator');
export const practiceChecks = allChecks.filter((check) => check.group === 'practice');
