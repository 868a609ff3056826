// .gitlab-ci.yml checked with the real gitlab-ci-local (from mlforge's own
// dependencies): GitLab's JSON schema, then its own parse of stages, needs,
// extends, !reference and rules. It needs a git repository with a remote, so
// the file is copied into a scratch repository made for the run. The job
// scripts also go through shellcheck.

import { missingFile, outcome, skippedOutcome } from '../check-result.js';
import { readCiConfig, type CiPipeline } from '../parse/ci-config.js';
import { asArray, asRecord, getIn, type YamlPath } from '../parse/yaml-file.js';
import { safeGitArgs, safeGitEnv } from '../tools/git-args.js';
import { withWorkCopy } from '../tools/work-copy.js';
import type { Rule, Finding, RepoView } from '../types.js';
import { shellcheckFindings, shellcheckFix } from './github-actions.js';

const ciFile = '.gitlab-ci.yml';

export const gitlabCiCheck: Rule = {
  title: '.gitlab-ci.yml passes gitlab-ci-local schema validation',
  applies: (repo) => repo.answers.ci === 'gitlab',
  async run(repo) {
    if (!repo.exists(ciFile)) return outcome([missingFile(ciFile, 'the answers chose GitLab CI')]);
    const tool = await repo.tools.probe('gitlab-ci-local');
    if (!tool.ok) return skippedOutcome(tool.reason);
    const git = await repo.tools.probe('git');
    if (!git.ok) return skippedOutcome(`${git.reason}: gitlab-ci-local needs a git repository`);
    return withWorkCopy(repo, [ciFile], async (scratch) => {
      await makeGitRepository(repo, scratch);
      const result = await repo.tools.run('gitlab-ci-local', ['--list', '--json-schema-validation'], { cwd: scratch, env: { ...safeGitEnv, FORCE_COLOR: '0' } });
      if (result.exitCode === 0) return outcome([], 'gitlab-ci-local listed the jobs');
      return outcome(findingsFrom(`${result.stderr}\n${result.stdout}`));
    });
  },
};

/** A repository on `main` with an `origin` remote, as gitlab-ci-local expects (it reads branch, remote and changes). */
async function makeGitRepository(repo: RepoView, dir: string): Promise<void> {
  const git = async (...args: string[]) => {
    const result = await repo.tools.run('git', [...safeGitArgs, '-c', 'user.name=mlforge', '-c', 'user.email=mlforge@localhost', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, env: safeGitEnv });
    if (!result.ok) throw new Error(`git ${args[0]} in the scratch copy failed: ${result.stderr.trim().split('\n')[0] ?? ''}`);
  };
  await git('init', '--quiet', '--initial-branch=main');
  await git('add', ciFile);
  await git('commit', '--quiet', '--message', 'pipeline under test');
  await git('remote', 'add', 'origin', 'https://gitlab.example.com/group/project.git');
  await git('update-ref', 'refs/remotes/origin/main', 'HEAD');
  await git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
}

/** gitlab-ci-local reports one problem at a time, often with a YAML path and line. */
function findingsFrom(output: string): Finding[] {
  const lines = output
    .split('\n')
    .map((line) => line.replace(/\u001b\[[0-9;]*m/g, '').trim())
    .filter((line) => line.length > 0 && !/^(Using fallback|Unable to retrieve|Command failed|fatal:|error: No such remote|Use '--'|'git|HEAD$|parsing and downloads|json schema validated)/.test(line));
  const message = lines.slice(0, 12).join(' / ') || 'gitlab-ci-local failed without a message';
  const line = /line (\d+)/i.exec(message)?.[1];
  return [
    {
      file: ciFile,
      ...(line ? { line: Number(line) } : {}),
      message: `gitlab-ci-local rejected the pipeline: ${message}`,
      fix: 'Correct .gitlab-ci.yml as the message says (https://docs.gitlab.com/ci/yaml/).',
    },
  ];
}

interface ScriptLine {
  text: string;
  /** 1-based line in .gitlab-ci.yml. */
  line: number;
}

/**
 * Each job's (and template's) before_script, script and after_script as one POSIX shell script per
 * section, line by line, where it is written in the CI model's document (a template's script once,
 * not once per job that extends it).
 */
export function gitlabScripts(pipeline: CiPipeline): Array<{ job: string; section: string; lines: ScriptLine[] }> {
  const root = asRecord(pipeline.doc.data) ?? {};
  const out: Array<{ job: string; section: string; lines: ScriptLine[] }> = [];
  for (const [job, entry] of Object.entries(root)) {
    if (!asRecord(entry)) continue;
    for (const section of ['before_script', 'script', 'after_script']) {
      const value = getIn(entry, [section]);
      const paths: YamlPath[] = typeof value === 'string' ? [[job, section]] : asArray(value).map((_, index) => [job, section, index]);
      const lines: ScriptLine[] = [];
      for (const path of paths) {
        // `!reference` entries (lists) are checked where they are defined.
        const item = pipeline.doc.textAt(path);
        if (!item) continue;
        item.text.replace(/\n$/, '').split('\n').forEach((lineText, index) => lines.push({ text: lineText, line: item.literal ? item.line + index : item.line }));
      }
      if (lines.length > 0) out.push({ job, section, lines });
    }
  }
  return out;
}

export const gitlabShellcheckCheck: Rule = {
  title: 'Shell in .gitlab-ci.yml scripts passes shellcheck',
  applies: (repo) => repo.answers.ci === 'gitlab',
  async run(repo) {
    if (!repo.exists(ciFile)) return outcome([missingFile(ciFile, 'the answers chose GitLab CI')]);
    const probe = await repo.tools.probe('shellcheck');
    if (!probe.ok) return skippedOutcome(probe.reason);
    const findings: Finding[] = [];
    const config = await readCiConfig(repo);
    const pipeline = config.pipelines.find((candidate) => candidate.file === ciFile);
    if (!pipeline) return outcome(config.errors.length > 0 ? config.errors : [{ file: ciFile, message: 'The pipeline is not a YAML mapping.', fix: 'Regenerate .gitlab-ci.yml.' }]);
    const scripts = gitlabScripts(pipeline);
    for (const { job, section, lines } of scripts) {
      // Job images differ (Alpine, Debian): hold every script to POSIX sh.
      const result = await repo.tools.run('shellcheck', ['--shell=sh', '-f', 'gcc', '-'], { input: lines.map((entry) => entry.text).join('\n') });
      for (const problem of shellcheckFindings(result)) {
        findings.push({ file: ciFile, line: lines[problem.line - 1]?.line, message: `${job}.${section}: ${problem.level}: ${problem.message}`, fix: shellcheckFix });
      }
    }
    return outcome(findings, `${scripts.length} scripts checked`);
  },
};
