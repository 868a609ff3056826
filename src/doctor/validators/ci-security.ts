// Security rules for GitHub workflows and composite actions that actionlint
// does not enforce: least-privilege permissions, SHA-pinned actions, no
// persisted checkout token, safe concurrency, timeouts, no untrusted data in
// scripts and no long-lived cloud keys. Each practice is checked here once
// (pinning and permissions used to be checked again, differently, elsewhere),
// so one cause gives one finding with one fix.

import { isMap, isScalar, isSeq, LineCounter, parseDocument, type YAMLMap } from 'yaml';
import { missingFile, outcome } from '../check-result.js';
import { readCiConfig, type CiPipeline } from '../parse/ci-config.js';
import { asArray, asRecord } from '../parse/yaml-file.js';
import type { Rule, Finding } from '../types.js';
import { localActionFiles, runScripts, workflowFiles } from './github-actions.js';

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
    const findings: Finding[] = [];
    for (const file of workflowFiles(repo)) findings.push(...checkWorkflow(file, await repo.read(file)));
    for (const file of localActionFiles(repo)) findings.push(...checkCommon(file, await repo.read(file)));
    return outcome(findings, `${workflowFiles(repo).length} workflows and ${localActionFiles(repo).length} local actions checked`);
  },
};

function lineAt(text: string, offset: number | undefined): number | undefined {
  if (offset === undefined) return undefined;
  return text.slice(0, offset).split('\n').length;
}

/** Rules for workflows: the common rules plus permissions, concurrency and timeouts. */
export function checkWorkflow(file: string, text: string): Finding[] {
  const doc = parseDocument(text, { lineCounter: new LineCounter() });
  const root = doc.contents;
  if (!isMap(root)) return [{ file, message: 'The workflow is not a YAML mapping.', fix: 'Regenerate the workflow.' }];
  const findings = checkCommon(file, text);
  const at = (node: unknown) => lineAt(text, (node as { range?: [number] } | null)?.range?.[0]);

  const permissions = root.get('permissions', true);
  if (permissions === undefined) {
    findings.push({ file, line: 1, message: 'No top-level `permissions`: every job gets the repository default token scope.', fix: 'Add `permissions: {}` (or `contents: read`) at the top and grant more per job.' });
  } else if (!readOnlyPermissions(permissions)) {
    findings.push({ file, line: at(permissions), message: 'Top-level `permissions` grant write access to every job.', fix: 'Make the top-level block `{}` or read-only; grant write scopes on the jobs that need them.' });
  }

  const jobs = root.get('jobs');
  const deploys = isMap(jobs) && jobs.items.some((pair) => isMap(pair.value) && pair.value.has('environment'));
  const onlyPullRequests = triggers(root).every((name) => name === 'pull_request');
  const topConcurrency = root.get('concurrency', true);
  // Jobs that deploy carry their own non-cancelling group; the top level may cancel pull-request runs only.
  findings.push(...checkConcurrency(file, text, topConcurrency, deploys && !onlyPullRequests, true));

  if (isMap(jobs)) {
    for (const pair of jobs.items) {
      const job = pair.value;
      const id = String(isScalar(pair.key) ? pair.key.value : pair.key);
      if (!isMap(job)) continue;
      const reusableCall = job.has('uses');
      if (!reusableCall && !job.has('timeout-minutes')) {
        findings.push({ file, line: at(pair.key), message: `Job ${id} has no timeout-minutes (the default is 6 hours).`, fix: `Add \`timeout-minutes:\` to job ${id}.` });
      }
      const jobPermissions = job.get('permissions', true);
      if (isScalar(jobPermissions) && (jobPermissions.value as unknown) === 'write-all') {
        findings.push({ file, line: at(jobPermissions), message: `Job ${id} grants write-all permissions.`, fix: `List only the scopes job ${id} needs under its \`permissions:\`.` });
      }
      const jobConcurrency = job.get('concurrency', true);
      if (topConcurrency === undefined && jobConcurrency === undefined && !reusableCall) {
        findings.push({ file, line: at(pair.key), message: `Job ${id} runs without a concurrency group (none at the top level either).`, fix: 'Add a top-level `concurrency:` group, or one on the job.' });
      }
      if (jobConcurrency !== undefined) findings.push(...checkConcurrency(file, text, jobConcurrency, job.has('environment')));
    }
  }
  if (triggers(root).includes('pull_request_target') && /actions\/checkout@/.test(text)) {
    findings.push({ file, line: at(root.get('on', true)), message: 'pull_request_target with a checkout runs untrusted code with a privileged token.', fix: 'Trigger on `pull_request` instead.' });
  }
  return findings;
}

function triggers(root: YAMLMap): string[] {
  const on = root.get('on');
  if (isScalar(on)) return [String(on.value)];
  if (typeof on === 'string') return [on];
  if (isSeq(on)) return on.items.map((item) => String(isScalar(item) ? item.value : item));
  if (isMap(on)) return on.items.map((pair) => String(isScalar(pair.key) ? pair.key.value : pair.key));
  return [];
}

function readOnlyPermissions(node: unknown): boolean {
  if (isScalar(node)) return node.value === 'read-all' || node.value === '{}';
  if (isMap(node)) return node.items.every((pair) => isScalar(pair.value) && (pair.value.value === 'read' || pair.value.value === 'none'));
  return false;
}

/** A deploying group must never cancel in progress; elsewhere only pull-request runs may be cancelled. */
function checkConcurrency(file: string, text: string, node: unknown, deploys: boolean, topLevel = false): Finding[] {
  if (!isMap(node)) return [];
  const cancel = node.get('cancel-in-progress', true);
  const value = isScalar(cancel) ? cancel.value : undefined;
  const line = lineAt(text, (cancel as { range?: [number] } | undefined)?.range?.[0]);
  if (value === true || value === 'true') {
    return [{ file, line, message: deploys ? 'cancel-in-progress: true can cancel a deploy halfway.' : 'cancel-in-progress: true also cancels runs on the default branch.', fix: "Use `cancel-in-progress: ${{ github.event_name == 'pull_request' }}`, and false for deploys." }];
  }
  if (typeof value === 'string' && value.includes('${{') && (!value.includes('pull_request') || (deploys && !topLevel))) {
    return [{ file, line, message: `cancel-in-progress: ${value} may cancel ${deploys ? 'a deploy' : 'runs that are not pull requests'}.`, fix: 'Cancel only superseded pull-request runs; never cancel a deploy (`cancel-in-progress: false`).' }];
  }
  return [];
}

/** Rules for workflows and composite actions alike. */
export function checkCommon(file: string, text: string): Finding[] {
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

  for (const script of runScripts(file, text)) {
    script.script.split('\n').forEach((line, index) => {
      const match = untrustedInScript.exec(line);
      if (match) {
        findings.push({ file, line: script.firstLine + index, message: `${script.where}: \`${match[0]}...\` puts untrusted data straight into a shell script (script injection).`, fix: 'Pass the value through `env:` and quote the variable in the script.' });
      }
    });
  }

  const doc = parseDocument(text);
  const stepLists: unknown[] = [doc.getIn(['runs', 'steps'])];
  const jobs = doc.get('jobs');
  if (isMap(jobs)) for (const pair of jobs.items) if (isMap(pair.value)) stepLists.push(pair.value.get('steps'));
  for (const steps of stepLists) {
    if (!isSeq(steps)) continue;
    for (const step of steps.items) {
      if (!isMap(step)) continue;
      const uses = step.get('uses');
      if (typeof uses !== 'string' || !uses.startsWith('actions/checkout@')) continue;
      const persist = step.getIn(['with', 'persist-credentials']);
      if (persist !== false && persist !== 'false') {
        findings.push({ file, line: lineAt(text, step.range?.[0]), message: 'actions/checkout leaves the job token in .git/config (persist-credentials is not false).', fix: 'Add `with: { persist-credentials: false }` to the checkout step.' });
      }
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
