// practice.plan-identity: on GCP, pull/merge-request plans sign in through
// bootstrap's provider that admits only this repository's request tokens, as a
// service account with read-only roles, and take no lock and refresh nothing;
// the environments' CI identities admit their environment (and on GitLab the
// protected branch) only. Each mistake planted into a fresh repository fails.

import { describe, expect, test } from 'vitest';
import { planIdentityCheck } from '../../src/doctor/practices/plan-identity.js';
import { findingMessages, plantedVariants } from '../helpers/planted.js';

const combos = {
  'gcp-github': { cloud: 'gcp', ci: 'github' },
  'gcp-gitlab': { cloud: 'gcp', ci: 'gitlab' },
  'aws-gitlab': { cloud: 'aws', ci: 'gitlab' },
  'azure-gitlab': { cloud: 'azure', ci: 'gitlab' },
  'local-github': { cloud: 'local', ci: 'github' },
} as const;
const run = plantedVariants(planIdentityCheck, combos);
const messages = findingMessages;
const bootstrap = 'infra/terraform/bootstrap/main.tf';

describe('practice.plan-identity', () => {
  test.each(['gcp-github', 'gcp-gitlab'] as const)('passes on a fresh repository (%s)', async (combo) => {
    const result = await run(combo);
    expect(result.findings).toEqual([]);
    expect(result.status).toBe('passed');
    expect(result.reason).toBe('google_iam_workload_identity_pool_provider.plan, google_service_account.plan with 2 read-only grants');
  });

  test('does not apply where the plan identity is an administrator\'s, and says why on Azure with GitLab', async () => {
    expect((await run('aws-gitlab')).reason).toBe("cloud aws: the plan identity is an administrator's (README, CI/CD)");
    expect((await run('azure-gitlab')).reason).toMatch(/an Azure federated credential matches one exact subject, and a merge request's names its branch/);
    expect((await run('local-github')).reason).toBe('cloud local has no Terraform');
  });

  test('no provider for merge requests fails', async () => {
    const result = await run('gcp-gitlab', [bootstrap, ' && assertion.pipeline_source == \\"merge_request_event\\"', '']);
    expect(messages(result)).toMatch(/No workload identity provider in infra\/terraform\/bootstrap admits merge-request tokens: merge-request plans cannot sign in/);
  });

  test('a provider that does not pin the repository fails', async () => {
    const result = await run('gcp-github', [bootstrap, 'assertion.repository == \\"${var.ci_repository}\\" && ', '']);
    expect(messages(result)).toMatch(/The pull-request plan provider's condition does not pin var\.ci_repository/);
  });

  test('a plan identity that may write fails', async () => {
    const result = await run('gcp-gitlab', [bootstrap, 'role       = "roles/artifactregistry.reader"', 'role       = "roles/artifactregistry.writer"']);
    expect(messages(result)).toMatch(/The merge-request plan identity \(google_service_account\.plan\) holds roles\/artifactregistry\.writer: any merge-request of any branch may sign in as it/);
    expect(result.findings[0]!.file).toBe(bootstrap);
  });

  test('an environment identity that admits unprotected refs fails', async () => {
    const result = await run('gcp-gitlab', ['infra/terraform/main.tf', ' && assertion.ref_protected == \\"true\\"', '']);
    expect(messages(result)).toMatch(/The environments' CI identity admits tokens without a protected ref .*: a merge-request pipeline could apply/);
  });

  test('a request plan that refreshes fails, on its line', async () => {
    const github = await run('gcp-github', ['.github/workflows/infra.yml', 'plan -lock=false -refresh=false', 'plan -lock=false']);
    expect(messages(github)).toMatch(/The request plan refreshes/);
    expect(github.findings[0]!.file).toBe('.github/workflows/infra.yml');
    const gitlab = await run('gcp-gitlab', ['.gitlab-ci.yml', 'plan -lock=false -refresh=false', 'plan -lock=false']);
    expect(gitlab.findings.map((finding) => finding.file)).toEqual(['.gitlab-ci.yml']);
  });
});
