// Security rules for GitHub workflows and composite actions that actionlint
// does not enforce: least-privilege permissions, SHA-pinned actions, no
// persisted checkout token, safe concurrency, timeouts, no untrusted data in
// scripts and no long-lived cloud keys. Each practice is checked here once
// (pinning and permissions used to be checked again, differently, elsewhere),
// so one cause gives one finding with one fix.

import { missingFile, outcome } from '../check-result.js';
import { actionFiles, ciFiles, readCiConfig, type CiPipeline } from '../parse/ci-config.js';
import { asArray, asRecord, getIn } from '../parse/yaml-file.js';
import type { Rule, Finding } from '../types.js';
import { runScripts, type RunScript } from './github-actions.js';

/** Secrets that can only hold long-lived cloud credentials. */
const longLivedKeyPattern =
  /\b(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|GOOGLE_CREDENTIALS|GOOGLE_APPLICATION_CREDENTIALS_JSON|GCP_SA_KEY|GCP_CREDENTIALS|AZURE_CREDENTIALS|AZURE_CLIENT_SECRET|ARM_CLIENT_SECRET)\b/;
/** Action inputs that take a stored key instead of an OIDC token. */
const keyInputs = new Set(['aws-access-key-id', 'aws-secret-access-key', 'credentials_json', 'creds', 'client-secret']);
const untrustedInScript = /\$\{\{[^}]*\b(github\.event\.|inputs\.|github\.head_ref)/;

export const workflowSecurityCheck: Rule = {
  title: 'GitHub workflows follow the security rules (permissions, pinning, OIDC, no injection)',
  applies: (repo) => repo.answers.ci === 'github',
  async run(repo) {
    const config = await readCiConfig(repo);
    const findings: Finding[] = [...config.errors];
    const scripts = runScripts(config);
    const read = new Set([...config.pipelines, ...config.actions].map((pipeline) => pipeline.file));
    for (const file of [...ciFiles(repo), ...actionFiles(repo)]) {
      if (!read.has(file) && !config.errors.some((error) => error.file === file)) findings.push({ file, message: 'The workflow is not a YAML mapping.', fix: 'Regenerate the workflow.' });
    }
    for (const pipeline of config.pipelines) findings.push(...checkWorkflow(pipeline, await repo.read(pipeline.file), scripts));
    for (const action of config.actions) findings.push(...checkCommon(action, await repo.read(action.file), scripts));
    return outcome(findings, `${config.pipelines.length} workflows and ${config.actions.length} local actions checked`);
  },
};

/** Rules for workflows: the common rules plus permissions, concurrency and timeouts, over the CI model. */
function checkWorkflow(pipeline: CiPipeline, text: string, scripts: readonly RunScript[]): Finding[] {
  const { file, doc } = pipeline;
  const root = asRecord(doc.data) ?? {};
  const findings = checkCommon(pipeline, text, scripts);

  if (!('permissions' in root)) {
    findings.push({ file, line: 1, message: 'No top-level `permissions`: every job gets the repository default token scope.', fix: 'Add `permissions: {}` (or `contents: read`) at the top and grant more per job.' });
  } else if (!readOnlyPermissions(root.permissions)) {
    findings.push({ file, line: doc.lineOf(['permissions']), message: 'Top-level `permissions` grant write access to every job.', fix: 'Make the top-level block `{}` or read-only; grant write scopes on the jobs that need them.' });
  }

  const deploys = pipeline.jobs.some((job) => 'environment' in job.raw);
  const onlyPullRequests = pipeline.triggers.every((name) => name === 'pull_request');
  const hasTopConcurrency = 'concurrency' in root;
  // Jobs that deploy carry their own non-cancelling group; the top level may cancel pull-request runs only.
  findings.push(...checkConcurrency(pipeline, ['concurrency'], deploys && !onlyPullRequests, true));

  for (const job of pipeline.jobs) {
    const reusableCall = 'uses' in job.raw;
    const line = doc.lineOf(job.path);
    if (!reusableCall && !('timeout-minutes' in job.raw)) {
      findings.push({ file, line, message: `Job ${job.id} has no timeout-minutes (the default is 6 hours).`, fix: `Add \`timeout-minutes:\` to job ${job.id}.` });
    }
    if (job.raw.permissions === 'write-all') {
      findings.push({ file, line: doc.lineOf([...job.path, 'permissions']), message: `Job ${job.id} grants write-all permissions.`, fix: `List only the scopes job ${job.id} needs under its \`permissions:\`.` });
    }
    const hasConcurrency = 'concurrency' in job.raw;
    if (!hasTopConcurrency && !hasConcurrency && !reusableCall) {
      findings.push({ file, line, message: `Job ${job.id} runs without a concurrency group (none at the top level either).`, fix: 'Add a top-level `concurrency:` group, or one on the job.' });
    }
    if (hasConcurrency) findings.push(...checkConcurrency(pipeline, [...job.path, 'concurrency'], 'environment' in job.raw));
  }
  if (pipeline.triggers.includes('pull_request_target') && pipeline.jobs.some((job) => job.steps.some((step) => step.uses?.startsWith('actions/checkout@')))) {
    findings.push({ file, line: doc.lineOf(['on']), message: 'pull_request_target with a checkout runs untrusted code with a privileged token.', fix: 'Trigger on `pull_request` instead.' });
  }
  return findings;
}

function readOnlyPermissions(value: unknown): boolean {
  if (typeof value === 'string') return value === 'read-all';
  const record = asRecord(value);
  return record !== undefined && Object.values(record).every((scope) => scope === 'read' || scope === 'none');
}

/** A deploying group must never cancel in progress; elsewhere only pull-request runs may be cancelled. */
function checkConcurrency(pipeline: CiPipeline, path: ReadonlyArray<string | number>, deploys: boolean, topLevel = false): Finding[] {
  const group = asRecord(getIn(pipeline.doc.data, path));
  if (!group) return [];
  const value = group['cancel-in-progress'];
  const file = pipeline.file;
  const line = pipeline.doc.lineOf([...path, 'cancel-in-progress']);
  if (value === true || value === 'true') {
    return [{ file, line, message: deploys ? 'cancel-in-progress: true can cancel a deploy halfway.' : 'cancel-in-progress: true also cancels runs on the default branch.', fix: "Use `cancel-in-progress: ${{ github.event_name == 'pull_request' }}`, and false for deploys." }];
  }
  if (typeof value === 'string' && value.includes('${{') && (!value.includes('pull_request') || (deploys && !topLevel))) {
    return [{ file, line, message: `cancel-in-progress: ${value} may cancel ${deploys ? 'a deploy' : 'runs that are not pull requests'}.`, fix: 'Cancel only superseded pull-request runs; never cancel a deploy (`cancel-in-progress: false`).' }];
  }
  return [];
}

/** Rules for workflows and composite actions alike: pinning, stored keys (line patterns over the text), script injection and persisted tokens (over the model). */
function checkCommon(pipeline: CiPipeline, text: string, scripts: readonly RunScript[]): Finding[] {
  const { file, doc } = pipeline;
  const findings: Finding[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const code = line.replace(/^\s*#.*$/, '');
    const uses = /^\s*(?:-\s+)?uses:\s*(['"]?)([^'"\s#]+)\1\s*(#.*)?$/.exec(code);
    if (uses) {
      const reference = uses[2]!;
      if (reference.startsWith('docker://') && !reference.includes('@sha256:')) {
        findings.push({ file, line: index + 1, message: `\`${reference}\` is not pinned by digest (a tag can be moved to another image).`, fix: 'Pin the image as docker://image@sha256:<digest>.' });
      } else if (!reference.startsWith('./') && !reference.startsWith('docker://')) {
        if (!/^[^@\s]+@[0-9a-f]{40}$/.test(reference)) {
          findings.push({ file, line: index + 1, message: `\`${reference}\` is not pinned to a full commit SHA (a tag or branch can be moved to other code).`, fix: 'Pin the action as owner/repo@<40-hex commit> # vX.Y.Z.' });
        } else if (!/^#\s*v?\d+(\.\d+)*/.test(uses[3] ?? '')) {
          findings.push({ file, line: index + 1, message: `\`${reference}\` has no version comment, so neither people nor Dependabot can tell which release it is.`, fix: 'Add the release after the SHA: `# vX.Y.Z`.' });
        }
      }
    }
    const secret = /\bsecrets\.([A-Za-z0-9_]+)/.exec(code);
    if (secret && longLivedKeyPattern.test(secret[1]!)) {
      findings.push({ file, line: index + 1, message: `The secret ${secret[1]} holds a long-lived cloud key.`, fix: 'Sign in to the cloud through OIDC (role to assume, workload identity federation or a federated credential) and delete the key.' });
    }
    const input = /^\s*([a-z_-]+):/.exec(code);
    if (input && keyInputs.has(input[1]!) && /\$\{\{/.test(code)) {
      findings.push({ file, line: index + 1, message: `The action input ${input[1]} takes a stored key instead of an OIDC token.`, fix: 'Remove the key input; use the OIDC inputs of the login action.' });
    }
  });

  for (const script of scripts.filter((candidate) => candidate.file === file)) {
    script.script.split('\n').forEach((line, index) => {
      const match = untrustedInScript.exec(line);
      if (match) {
        findings.push({ file, line: script.firstLine + index, message: `${script.where}: \`${match[0]}...\` puts untrusted data straight into a shell script (script injection).`, fix: 'Pass the value through `env:` and quote the variable in the script.' });
      }
    });
  }

  for (const step of pipeline.jobs.flatMap((job) => job.steps)) {
    if (!step.uses?.startsWith('actions/checkout@')) continue;
    const persist = step.with['persist-credentials'];
    if (persist !== false && persist !== 'false') {
      findings.push({ file, line: doc.lineOf(step.path), message: 'actions/checkout leaves the job token in .git/config (persist-credentials is not false).', fix: 'Add `with: { persist-credentials: false }` to the checkout step.' });
    }
  }
  return findings;
}

/** GitLab: no stored cloud keys, images pinned to a version, a timeout on every job, deploys never interrupted. */
export const gitlabSecurityCheck: Rule = {
  title: 'GitLab CI follows the security rules (OIDC only, pinned images, timeouts, uninterrupted deploys)',
  applies: (repo) => repo.answers.ci === 'gitlab',
  async run(repo) {
    const file = '.gitlab-ci.yml';
    if (!repo.exists(file)) return outcome([missingFile(file, 'the answers chose GitLab CI')]);
    const config = await readCiConfig(repo);
    const pipeline = config.pipelines.find((candidate) => candidate.file === file);
    const errors = config.errors.filter((error) => error.file === file);
    if (errors.length > 0) return outcome(errors);
    if (!pipeline) return outcome([{ file, message: 'The pipeline is not a YAML mapping.', fix: 'Regenerate .gitlab-ci.yml.' }]);
    return outcome(checkGitlab(pipeline, await repo.read(file)));
  },
};

/**
 * The rules over the CI model's pipeline (parse/ci-config.ts): its jobs come with their `extends`
 * chain merged, as GitLab runs them; images are checked where they are written (a template's
 * image once, not once per job that extends it).
 */
export function checkGitlab(pipeline: CiPipeline, text: string): Finding[] {
  const { file, doc } = pipeline;
  const root = asRecord(doc.data) ?? {};
  const findings: Finding[] = [];
  text.split('\n').forEach((line, index) => {
    const key = longLivedKeyPattern.exec(line.replace(/^\s*#.*$/, ''));
    if (key) findings.push({ file, line: index + 1, message: `${key[1]} is a long-lived cloud key.`, fix: 'Sign in through `id_tokens` OIDC and delete the key variable.' });
  });
  const writtenImages: Array<{ where: string; path: Array<string | number>; image: unknown }> = [];
  const imagesOf = (where: string, path: string[], entry: Record<string, unknown>) => {
    writtenImages.push({ where, path: [...path, 'image'], image: asRecord(entry.image)?.name ?? entry.image });
    asArray(entry.services).forEach((service, index) => writtenImages.push({ where, path: [...path, 'services', index], image: asRecord(service)?.name ?? service }));
  };
  imagesOf('The pipeline', [], root);
  for (const [name, entry] of Object.entries(root)) {
    const record = asRecord(entry);
    if (record && name !== 'variables' && name !== 'workflow') imagesOf(name, [name], record);
  }
  for (const { where, path, image } of writtenImages) {
    if (typeof image !== 'string' || image.startsWith('$')) continue;
    const tag = /@sha256:[0-9a-f]{64}$/.test(image) ? 'digest' : /:([^/:]+)$/.exec(image)?.[1];
    if (tag !== 'digest' && (!tag || tag === 'latest' || !/\d/.test(tag))) {
      findings.push({ file, line: doc.lineOf(path), message: `${where} uses the image ${image}, which is not pinned to a version.`, fix: 'Use a versioned tag or a digest, never latest or no tag.' });
    }
  }
  const defaults = asRecord(root.default) ?? {};
  for (const job of pipeline.jobs) {
    const line = doc.lineOf(job.path);
    if (job.raw.timeout === undefined && defaults.timeout === undefined) {
      findings.push({ file, line, message: `Job ${job.id} has no timeout (the project default may be hours).`, fix: `Add \`timeout:\` to ${job.id} or to \`default:\`.` });
    }
    const environment = job.raw.environment;
    const action = asRecord(environment)?.action;
    const deploys = environment !== undefined && (action === undefined || action === 'start');
    const interruptible = job.raw.interruptible ?? defaults.interruptible;
    if (deploys && interruptible !== false) {
      findings.push({ file, line, message: `Deploy job ${job.id} can be cancelled by a newer pipeline (interruptible).`, fix: `Set \`interruptible: false\` on ${job.id}.` });
    }
  }
  return findings;
}
