// On GCP, pull/merge-request plans and applies sign in as different
// identities. Plans: bootstrap's workload identity provider admits this
// repository's pull-request tokens (GitHub) or merge-request pipelines (GitLab,
// any branch) and nothing else, and the service account it may impersonate
// holds read-only roles, so a plan from any branch can change nothing; the plan
// jobs take no lock and refresh nothing (that identity reads the state and the
// registry only). Applies: each environment's CI identity admits that
// environment only, and on GitLab the protected default branch only.
// Elsewhere the plan identity is an administrator's (README), so the rule does
// not apply there.

import { lineOfMatch, outcome } from '../check-result.js';
import { blockLocation, readTerraform, resolveTfString, type TfModel } from '../parse/terraform.js';
import type { Finding, RepoView, Rule } from '../types.js';

const bootstrapDir = 'infra/terraform/bootstrap';
/** Roles that read and change nothing; the plan identity may hold these only. */
export const readOnlyRoles = new Set(['roles/viewer', 'roles/browser', 'roles/iam.securityReviewer', 'roles/storage.objectViewer', 'roles/artifactregistry.reader']);
const iamMemberTypes = /^google_(?:project|storage_bucket|artifact_registry_repository|service_account|secret_manager_secret|kms_crypto_key)_iam_(?:member|binding)$/;

/** The marker of a request token in a provider's condition: GitHub's pull-request subject, GitLab's pipeline source. */
const requestMarker = (ci: 'github' | 'gitlab') => (ci === 'github' ? /:pull_request\b|event_name\s*==\s*\\?"pull_request/ : /pipeline_source\s*==\s*\\?"merge_request_event/);
const repositoryPin = (ci: 'github' | 'gitlab') => (ci === 'github' ? /assertion\.repository\s*==\s*\\?"\$\{var\.ci_repository\}/ : /assertion\.project_path\s*==\s*\\?"\$\{var\.ci_repository\}/);

/** The condition each environment's CI provider gets from the root's module call (main.tf), resolved as far as it goes. */
function applyConditions(model: TfModel): Array<{ file: string; condition: string }> {
  const root = model.directories.get('infra/terraform');
  const calls = root?.calls.filter((call) => call.dir.endsWith('/modules/gcp/ci-identity')) ?? [];
  return calls.map((call) => ({ file: 'infra/terraform/main.tf', condition: String(call.args.attribute_condition ?? '') }));
}

async function planFindings(repo: RepoView, model: TfModel): Promise<{ findings: Finding[]; detail?: string }> {
  const ci = repo.answers.ci;
  const request = ci === 'github' ? 'pull-request' : 'merge-request';
  const findings: Finding[] = [];
  const blocks = model.directories.get(bootstrapDir)?.blocks ?? [];
  const provider = blocks.find((block) => block.type === 'google_iam_workload_identity_pool_provider' && requestMarker(ci).test(String(block.body.attribute_condition ?? '')));
  if (!provider) {
    findings.push({ file: `${bootstrapDir}/main.tf`, message: `No workload identity provider in ${bootstrapDir} admits ${request} tokens: ${request} plans cannot sign in (the environments' providers admit ${ci === 'github' ? 'their environment' : 'the protected default branch'} only).`, fix: `Add the plan pool, provider and read-only service account, as a freshly generated repository has them.` });
    return { findings };
  }
  const condition = String(provider.body.attribute_condition ?? '');
  if (!repositoryPin(ci).test(condition)) {
    findings.push({ ...(await blockLocation(repo, provider)), message: `The ${request} plan provider's condition does not pin var.ci_repository (${condition}): tokens of other ${ci === 'github' ? 'repositories' : 'projects'} on the same issuer could sign in.`, fix: `Require ${ci === 'github' ? 'assertion.repository' : 'assertion.project_path'} == "\${var.ci_repository}".` });
  }
  // The service accounts that members of the provider's pool may impersonate, and every role they hold.
  const pool = /google_iam_workload_identity_pool\.(\w+)\.workload_identity_pool_id/.exec(String(provider.body.workload_identity_pool_id ?? ''))?.[1];
  const impersonation = blocks.filter((block) => block.type === 'google_service_account_iam_member' && pool !== undefined && String(block.body.member ?? '').includes(`google_iam_workload_identity_pool.${pool}.name`));
  const accounts = impersonation.map((block) => /google_service_account\.(\w+)\.name/.exec(String(block.body.service_account_id ?? ''))?.[1]).filter((name): name is string => name !== undefined);
  if (accounts.length === 0) {
    findings.push({ ...(await blockLocation(repo, provider)), message: `No service account may be impersonated through the ${request} plan pool: the plans sign in but can read nothing.`, fix: 'Bind roles/iam.workloadIdentityUser on the plan service account to the pool.' });
  }
  let roles = 0;
  for (const account of accounts) {
    for (const grant of blocks.filter((block) => iamMemberTypes.test(block.type) && String(block.body.member ?? block.body.members ?? '').includes(`google_service_account.${account}.email`))) {
      roles += 1;
      const role = String(grant.body.role ?? '');
      if (!readOnlyRoles.has(role)) {
        findings.push({ ...(await blockLocation(repo, grant)), message: `The ${request} plan identity (google_service_account.${account}) holds ${role}: any ${request} of any branch may sign in as it, so it must read and change nothing.`, fix: `Grant only read roles (${[...readOnlyRoles].join(', ')}).` });
      }
    }
  }
  for (const { file, condition: apply } of applyConditions(model)) {
    const resolved = resolveTfString(model, 'infra/terraform', apply) ?? apply;
    const gaps = [
      ...(/assertion\.environment\s*==/.test(resolved) ? [] : ['an environment']),
      ...(ci === 'gitlab' && !/assertion\.ref_protected\s*==\s*\\?"true/.test(resolved) ? ['a protected ref'] : []),
    ];
    if (gaps.length > 0) {
      findings.push({ file, line: lineOfMatch(await repo.read(file), /attribute_condition\s*=/), message: `The environments' CI identity admits tokens without ${gaps.join(' or ')} (${apply}): a ${request} pipeline could apply.`, fix: `Require ${gaps.includes('a protected ref') ? 'assertion.ref_protected == "true" and ' : ''}assertion.environment == "\${var.environment}".` });
    }
  }
  return { findings, detail: `${provider.type}.${provider.name}, ${accounts.map((account) => `google_service_account.${account}`).join(', ')} with ${roles} read-only grant${roles === 1 ? '' : 's'}` };
}

/** The CI file's plan commands that run without a lock: each must refresh nothing as well. */
async function planJobFindings(repo: RepoView): Promise<Finding[]> {
  const file = repo.answers.ci === 'github' ? '.github/workflows/infra.yml' : '.gitlab-ci.yml';
  if (!repo.exists(file)) return [];
  const text = await repo.read(file);
  const findings: Finding[] = [];
  text.split('\n').forEach((line, index) => {
    if (/^\s*#/.test(line) || !/\bterraform\b.*\bplan\b.*-lock=false/.test(line)) return;
    if (!/-refresh=false\b/.test(line)) {
      findings.push({ file, line: index + 1, message: 'The request plan refreshes: the plan identity reads the state and the registry only, so refreshing the secrets, database and cluster fails (or needs rights a plan from any branch must not have).', fix: 'Run it as terraform plan -lock=false -refresh=false.' });
    }
  });
  return findings;
}

export const planIdentityCheck: Rule = {
  title: 'Pull/merge-request plans sign in as a read-only identity of this repository; applies only as the environments\' identities',
  applies: (repo) => repo.answers.cloud === 'gcp',
  inapplicableReason: (repo) =>
    repo.answers.cloud === 'local'
      ? 'cloud local has no Terraform'
      : `cloud ${repo.answers.cloud}: the plan identity is an administrator's (README, CI/CD)${repo.answers.cloud === 'azure' && repo.answers.ci === 'gitlab' ? '; an Azure federated credential matches one exact subject, and a merge request\'s names its branch' : ''}`,
  async run(repo) {
    const model = await readTerraform(repo);
    const { findings, detail } = await planFindings(repo, model);
    findings.unshift(...model.errors);
    findings.push(...(await planJobFindings(repo)));
    return outcome(findings, detail);
  },
};

