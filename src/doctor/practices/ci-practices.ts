// CI practices: cloud access through OIDC federation instead of stored keys,
// actions pinned to commits, and least-privilege token permissions.

import { missingFile, outcome } from '../check-result.js';
import { ciFiles, readCiConfig } from '../parse/ci-config.js';
import { asRecord, getIn } from '../parse/yaml-file.js';
import type { Check, Finding, RepoView } from '../types.js';

/** Long-lived cloud credentials CI must not read. */
const keyPatterns: Array<{ pattern: RegExp; what: string }> = [
  { pattern: /\baws-(access-key-id|secret-access-key)\s*:/, what: 'AWS access keys passed to an action' },
  { pattern: /\bsecrets\.AWS_(SECRET_ACCESS_KEY|ACCESS_KEY_ID)\b/, what: 'AWS access keys stored as secrets' },
  { pattern: /\bcredentials_json\s*:/, what: 'a Google service-account key (credentials_json)' },
  { pattern: /\bsecrets\.[A-Z_]*(GOOGLE|GCP)[A-Z_]*(CREDENTIALS|KEY)[A-Z_]*\b/, what: 'a Google service-account key stored as a secret' },
  { pattern: /\bAZURE_CLIENT_SECRET\b|\bclient-secret\s*:|"clientSecret"/, what: 'an Azure client secret' },
  { pattern: /^\s*creds\s*:/, what: 'Azure credentials JSON (creds)' },
];

/** GitLab reads keys as variables; with web-identity federation the same names hold short-lived STS output. */
function gitlabStoredAwsKey(text: string, line: string): boolean {
  return /\$\{?AWS_SECRET_ACCESS_KEY\b/.test(line) && !/assume-role-with-web-identity/.test(text);
}

export const oidcCheck: Check = {
  id: 'practice.oidc',
  title: 'CI reaches the cloud through OIDC federation, not stored keys',
  group: 'practice',
  applies: (repo) => repo.answers.cloud !== 'local',
  inapplicableReason: () => 'cloud local: CI does not deploy to a cloud',
  async run(repo) {
    const files = ciFiles(repo);
    if (files.length === 0) return outcome([ciMissing(repo)]);
    const findings: Finding[] = [];
    let federated = false;
    for (const file of files) {
      const text = await repo.read(file);
      if (repo.answers.ci === 'github' ? /id-token\s*:\s*write/.test(text) : /^\s*id_tokens\s*:/m.test(text)) federated = true;
      text.split('\n').forEach((line, index) => {
        if (/^\s*#/.test(line)) return;
        for (const { pattern, what } of [...keyPatterns, { pattern: { test: (candidate: string) => gitlabStoredAwsKey(text, candidate) }, what: 'an AWS secret access key variable' }]) {
          if (pattern.test(line)) {
            findings.push({ file, line: index + 1, message: `CI uses ${what}.`, fix: 'Federate with OIDC (a role, workload identity provider or federated credential trusting this repository) and delete the key.' });
            break;
          }
        }
      });
    }
    if (!federated) {
      findings.push({
        file: files[0]!,
        message: repo.answers.ci === 'github' ? 'No workflow requests an OIDC token (permissions: id-token: write).' : 'No job requests an OIDC token (id_tokens:).',
        fix: repo.answers.ci === 'github' ? 'Grant `id-token: write` to the jobs that log in to the cloud and use the cloud login action with OIDC.' : 'Add `id_tokens:` with the cloud audience to the jobs that log in to the cloud.',
      });
    }
    return outcome(findings);
  },
};

export const pinnedActionsCheck: Check = {
  id: 'practice.pinned-actions',
  title: 'Actions and CI images are pinned',
  group: 'practice',
  applies: () => true,
  async run(repo) {
    const config = await readCiConfig(repo);
    const findings: Finding[] = [...config.errors];
    if (config.pipelines.length === 0) return outcome([ciMissing(repo)]);
    let count = 0;
    for (const pipeline of config.pipelines) {
      for (const job of pipeline.jobs) {
        for (const step of job.steps) {
          if (step.uses === undefined || step.uses.startsWith('./')) continue;
          count++;
          if (step.uses.startsWith('docker://')) {
            if (!step.uses.includes('@sha256:')) findings.push({ file: pipeline.file, line: pipeline.doc.lineOf([...step.path, 'uses']), message: `${step.uses} is not pinned by digest.`, fix: 'Pin the image with @sha256:<digest>.' });
            continue;
          }
          const ref = step.uses.split('@')[1];
          if (!ref || !/^[0-9a-f]{40}$/.test(ref)) {
            findings.push({
              file: pipeline.file,
              line: pipeline.doc.lineOf([...step.path, 'uses']),
              message: `${step.uses} is pinned to a movable ${ref ? `ref "${ref}"` : 'default branch'}, not a commit.`,
              fix: 'Pin to the full 40-character commit SHA and keep the version in a comment (`uses: owner/action@<sha> # v4.2.0`).',
            });
          }
        }
        if (config.system === 'gitlab') {
          const image = job.raw.image;
          const name = typeof image === 'string' ? image : asRecord(image)?.name;
          if (typeof name === 'string') {
            count++;
            const tag = name.includes('@sha256:') ? 'digest' : name.slice(name.lastIndexOf('/') + 1).split(':')[1];
            if (!tag || tag === 'latest') findings.push({ file: pipeline.file, line: pipeline.doc.lineOf([...job.path, 'image']), message: `Job ${job.id} runs in ${name} without a version tag.`, fix: 'Pin the image to a version tag or digest.' });
          }
        }
      }
    }
    return outcome(findings, `${count} references`);
  },
};

export const leastPrivilegeCheck: Check = {
  id: 'practice.least-privilege',
  title: 'Workflow token permissions are least-privilege',
  group: 'practice',
  applies: (repo) => repo.answers.ci === 'github',
  inapplicableReason: () => 'GitLab job tokens have no per-job permissions in .gitlab-ci.yml (CI_JOB_TOKEN scope is a project setting)',
  async run(repo) {
    const config = await readCiConfig(repo);
    const findings: Finding[] = [...config.errors];
    if (config.pipelines.length === 0) return outcome([missingFile('.github/workflows/', 'the answers chose GitHub Actions')]);
    for (const pipeline of config.pipelines) {
      const top = getIn(pipeline.doc.data, ['permissions']);
      const line = pipeline.doc.lineOf(['permissions']);
      if (top === undefined && pipeline.jobs.some((job) => job.raw.permissions === undefined)) {
        findings.push({ file: pipeline.file, line: 1, message: 'The workflow sets no top-level permissions, so jobs without their own get the default token scopes.', fix: 'Add `permissions: { contents: read }` (or `{}`) at the top and grant more per job.' });
      }
      if (writesEverything(top) || hasWrite(top)) {
        findings.push({ file: pipeline.file, line, message: 'The workflow grants write permissions to every job.', fix: 'Keep top-level permissions read-only and grant write scopes only to the jobs that need them.' });
      }
      for (const job of pipeline.jobs) {
        if (writesEverything(job.raw.permissions)) {
          findings.push({ file: pipeline.file, line: pipeline.doc.lineOf([...job.path, 'permissions']), message: `Job ${job.id} grants write-all.`, fix: 'List only the scopes the job needs.' });
        }
      }
      if (pipeline.triggers.includes('pull_request_target') && /actions\/checkout@/.test(JSON.stringify(pipeline.doc.data))) {
        findings.push({ file: pipeline.file, line: pipeline.doc.lineOf(['on']), message: 'pull_request_target with a checkout runs untrusted code with a privileged token.', fix: 'Use pull_request instead.' });
      }
    }
    return outcome(findings, `${config.pipelines.length} workflows`);
  },
};

function writesEverything(permissions: unknown): boolean {
  return permissions === 'write-all';
}

function hasWrite(permissions: unknown): boolean {
  return Object.values(asRecord(permissions) ?? {}).some((value) => value === 'write');
}

export function ciMissing(repo: RepoView): Finding {
  return missingFile(repo.answers.ci === 'github' ? '.github/workflows/' : '.gitlab-ci.yml', `the answers chose ${repo.answers.ci} CI`);
}
