// CI practice: cloud access through OIDC federation instead of stored keys.
// (Pinning and token permissions are the workflow and GitLab security rules.)

import { missingFile, outcome } from '../check-result.js';
import { ciFiles } from '../parse/ci-config.js';
import type { Rule, Finding, RepoView } from '../types.js';

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

export const oidcCheck: Rule = {
  title: 'CI reaches the cloud through OIDC federation, not stored keys',
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

export function ciMissing(repo: RepoView): Finding {
  return missingFile(repo.answers.ci === 'github' ? '.github/workflows/' : '.gitlab-ci.yml', `the answers chose ${repo.answers.ci} CI`);
}
