// Every secret, variable and environment the CI configuration reads from the
// project's settings is documented in README.md, so a new clone can be wired up
// without reading the workflows.

import { missingFile, outcome, skippedOutcome } from '../check-result.js';
import { ciFiles, readCiConfig } from '../parse/ci-config.js';
import { asRecord } from '../parse/yaml-file.js';
import type { Rule, Finding, RepoView } from '../types.js';

interface CiInput {
  kind: 'secret' | 'variable' | 'environment';
  name: string;
  file: string;
  line: number;
}

export const documentedCiInputsCheck: Rule = {
  title: 'Every CI secret, variable and environment is documented in README.md',
  applies: () => true,
  async run(repo) {
    const files = ciFiles(repo);
    if (files.length === 0) {
      const expected = repo.answers.ci === 'github' ? '.github/workflows/' : '.gitlab-ci.yml';
      return outcome([missingFile(expected, `the answers chose ${repo.answers.ci} CI`)]);
    }
    if (!repo.exists('README.md')) return outcome([missingFile('README.md', 'it documents how to set up CI')]);
    const inputs = repo.answers.ci === 'github' ? await githubInputs(repo, files) : await gitlabInputs(repo, files);
    if (inputs.length === 0) return skippedOutcome('the CI configuration reads no secrets or variables');
    const readme = await repo.read('README.md');
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const input of inputs) {
      const key = `${input.kind}:${input.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (new RegExp(`(^|[^A-Za-z0-9_-])${input.name}([^A-Za-z0-9_-]|$)`).test(readme)) continue;
      findings.push({
        file: input.file,
        line: input.line,
        message: `CI reads the ${input.kind} ${input.name}, but README.md does not mention it.`,
        fix: `Document ${input.name} in README.md: what it is, where to set it and how to create its value.`,
      });
    }
    return outcome(findings, `${seen.size} CI inputs documented`);
  },
};

async function githubInputs(repo: RepoView, files: readonly string[]): Promise<CiInput[]> {
  const inputs: CiInput[] = [];
  for (const file of files) {
    const lines = (await repo.read(file)).split('\n');
    lines.forEach((text, index) => {
      for (const match of text.matchAll(/\b(secrets|vars)\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
        // GITHUB_TOKEN is provided by GitHub for every run.
        if (match[2] === 'GITHUB_TOKEN') continue;
        inputs.push({ kind: match[1] === 'secrets' ? 'secret' : 'variable', name: match[2]!, file, line: index + 1 });
      }
    });
  }
  const config = await readCiConfig(repo);
  for (const pipeline of config.pipelines) {
    for (const job of pipeline.jobs) {
      const environment = job.raw.environment;
      const name = typeof environment === 'string' ? environment : asRecord(environment)?.name;
      if (typeof name === 'string' && !name.includes('${{')) {
        inputs.push({ kind: 'environment', name, file: pipeline.file, line: pipeline.doc.lineOf([...job.path, 'environment']) ?? 1 });
      }
    }
  }
  return inputs;
}

const shellAndRunnerVariables = new Set(['HOME', 'PATH', 'PWD', 'USER', 'SHELL', 'HOSTNAME', 'TMPDIR', 'RANDOM', 'LANG', 'IFS', 'OLDPWD', 'UID']);
const predefinedPrefixes = ['CI_', 'GITLAB_', 'FF_', 'RUNNER_', 'TRIGGER_', 'CHAT_', 'KUBECONFIG'];

async function gitlabInputs(repo: RepoView, files: readonly string[]): Promise<CiInput[]> {
  const config = await readCiConfig(repo);
  const defined = new Set<string>();
  for (const pipeline of config.pipelines) {
    for (const name of Object.keys(pipeline.env)) defined.add(name);
    for (const value of Object.values(asRecord(pipeline.doc.data) ?? {})) {
      // Job variables, and the OIDC tokens GitLab mints into variables named under id_tokens.
      for (const key of ['variables', 'id_tokens'] as const) for (const name of Object.keys(asRecord(asRecord(value)?.[key]) ?? {})) defined.add(name);
    }
  }
  const inputs: CiInput[] = [];
  for (const file of files) {
    const text = await repo.read(file);
    // Variables the scripts set themselves are not project settings.
    for (const match of text.matchAll(/(?:\bexport\s+|\bfor\s+|\bread\s+(?:-\w+\s+)*|^|[\s;&|(])([A-Z_][A-Z0-9_]*)(?==|\s+in\b)/gm)) defined.add(match[1]!);
    text.split('\n').forEach((line, index) => {
      if (/^\s*#/.test(line)) return;
      for (const match of line.matchAll(/(?<!\$)\$\{?([A-Z_][A-Z0-9_]*)/g)) {
        const name = match[1]!;
        if (defined.has(name) || shellAndRunnerVariables.has(name) || predefinedPrefixes.some((prefix) => name.startsWith(prefix))) continue;
        inputs.push({ kind: 'variable', name, file, line: index + 1 });
      }
    });
  }
  for (const pipeline of config.pipelines) {
    for (const job of pipeline.jobs) {
      const environment = job.raw.environment;
      const name = typeof environment === 'string' ? environment : asRecord(environment)?.name;
      if (typeof name === 'string' && !name.includes('$')) {
        inputs.push({ kind: 'environment', name, file: pipeline.file, line: pipeline.doc.lineOf([...job.path, 'environment']) ?? 1 });
      }
    }
  }
  return inputs;
}
