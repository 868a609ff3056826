// Every check `mlforge doctor` runs, in report order. mlforge's own tests
// import the same objects to check generated repositories.

import { documentedCiInputsCheck } from './agreement/documented-ci-inputs.js';
import { imageRepositoryCheck } from './agreement/image-repository.js';
import { modelNameCheck } from './agreement/model-name.js';
import { portAgreementCheck } from './agreement/port.js';
import { probeRoutesCheck } from './agreement/probe-routes.js';
import { pythonVersionCheck } from './agreement/python-version.js';
import { oidcCheck, leastPrivilegeCheck, pinnedActionsCheck } from './practices/ci-practices.js';
import { nonRootImageCheck, probesCheck, resourceLimitsCheck } from './practices/container-hardening.js';
import { driftMonitoringCheck, qualityGateCheck, rollbackCheck } from './practices/ml-lifecycle.js';
import { noSecretsCheck } from './practices/no-secrets.js';
import type { Check } from './types.js';
import { gitlabSecurityCheck, workflowSecurityCheck } from './validators/ci-security.js';
import { dockerfileCheck } from './validators/dockerfile.js';
import { actionlintCheck, shellcheckCheck } from './validators/github-actions.js';
import { gitlabCiCheck, gitlabShellcheckCheck } from './validators/gitlab-ci.js';
import { customResourceCheck, kubernetesSchemaCheck, kustomizeBuildCheck, podSecurityCheck } from './validators/kubernetes.js';
import { ruffCheck } from './validators/ruff.js';
import { terraformFmtCheck, terraformParseCheck, terraformValidateCheck } from './validators/terraform.js';

export const agreementChecks: readonly Check[] = [
  portAgreementCheck,
  probeRoutesCheck,
  imageRepositoryCheck,
  pythonVersionCheck,
  modelNameCheck,
  documentedCiInputsCheck,
];

export const validatorChecks: readonly Check[] = [
  actionlintCheck,
  shellcheckCheck,
  gitlabCiCheck,
  gitlabShellcheckCheck,
  kustomizeBuildCheck,
  kubernetesSchemaCheck,
  customResourceCheck,
  terraformFmtCheck,
  terraformParseCheck,
  terraformValidateCheck,
  dockerfileCheck,
  ruffCheck,
];

export const practiceChecks: readonly Check[] = [
  workflowSecurityCheck,
  gitlabSecurityCheck,
  podSecurityCheck,
  nonRootImageCheck,
  probesCheck,
  resourceLimitsCheck,
  oidcCheck,
  pinnedActionsCheck,
  leastPrivilegeCheck,
  qualityGateCheck,
  driftMonitoringCheck,
  rollbackCheck,
  noSecretsCheck,
];

export const allChecks: readonly Check[] = [...agreementChecks, ...validatorChecks, ...practiceChecks];

/** Checks that take seconds (external tools): the runner starts them first so they overlap the rest. */
export const slowCheckIds: ReadonlySet<string> = new Set([terraformValidateCheck.id, gitlabCiCheck.id, kubernetesSchemaCheck.id, kustomizeBuildCheck.id, shellcheckCheck.id]);
