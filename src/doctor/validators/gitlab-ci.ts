// .gitlab-ci.yml checked with the real gitlab-ci-local (from mlforge's own
// dependencies): GitLab's JSON schema, then its own parse of stages, needs,
// extends, !reference and rules. It needs a git repository with a remote, so
// the file is copied into a scratch repository made for the run. The job
// scripts also go through shellcheck.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { missingFile, outcome, skippedOutcome } from '../check-result.js';
import type { Check, Finding } from '../types.js';

const ciFile = '.gitlab-ci.yml';

function gitlabCiLocalEntry(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const manifest = require.resolve('gitlab-ci-local/package.json');
    const bin = (require(manifest) as { bin?: string | Record<string, string> }).bin;
    const relative = typeof bin === 'string' ? bin : bin?.['gitlab-ci-local'];
    return relative ? join(dirname(manifest), relative) : undefined;
  } catch {
    return undefined;
  }
}

export const gitlabCiCheck: Check = {
  id: 'validator.gitlab-ci-local',
  title: '.gitlab-ci.yml passes gitlab-ci-local schema validation',
  group: 'validator',
  applies: (repo) => repo.answers.ci === 'gitlab',
  async run(repo) {
    if (!repo.exists(ciFile)) return outcome([missingFile(ciFile, 'the answers chose GitLab CI')]);
    const entry = gitlabCiLocalEntry();
    if (!entry) return skippedOutcome('gitlab-ci-local not available');
    const scratch = await mkdtemp(join(tmpdir(), 'mlforge-gitlab-ci-'));
    try {
      await writeFile(join(scratch, ciFile), await repo.read(ciFile));
      await makeGitRepository(scratch);
      const result = await execa(process.execPath, [entry, '--list', '--json-schema-validation'], {
        cwd: scratch,
        reject: false,
        stdin: 'ignore',
        env: { NO_COLOR: '1', FORCE_COLOR: '0' },
      });
      if (result.exitCode === 0) return outcome([], 'gitlab-ci-local listed the jobs');
      return outcome(findingsFrom(`${result.stderr}\n${result.stdout}`));
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  },
};

/** A repository on `main` with an `origin` remote, as gitlab-ci-local expects (it reads branch, remote and changes). */
async function makeGitRepository(dir: string): Promise<void> {
  const git = (...args: string[]) =>
    execa('git', ['-c', 'user.name=mlforge', '-c', 'user.email=mlforge@localhost', '-c', 'commit.gpgsign=false', ...args], { cwd: dir });
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
  const message = lines.slice(0, 12).join('\n') || 'gitlab-ci-local failed without a message';
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

/** Each job's before_script, script and after_script as one POSIX shell script per section, line by line. */
export function gitlabScripts(text: string): Array<{ job: string; section: string; lines: ScriptLine[] }> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, customTags: [{ tag: '!reference', collection: 'seq', resolve: (value: unknown) => value }] });
  const root = doc.contents;
  if (!isMap(root)) return [];
  const out: Array<{ job: string; section: string; lines: ScriptLine[] }> = [];
  for (const pair of root.items) {
    const job = String(isScalar(pair.key) ? pair.key.value : pair.key);
    if (!isMap(pair.value)) continue;
    for (const section of ['before_script', 'script', 'after_script']) {
      const node = pair.value.get(section, true);
      const items = isSeq(node) ? node.items : isScalar(node) ? [node] : [];
      const lines: ScriptLine[] = [];
      for (const item of items) {
        // `!reference` entries are checked where they are defined.
        if (!isScalar(item) || typeof item.value !== 'string') continue;
        const start = lineCounter.linePos(item.range?.[0] ?? 0).line;
        const first = item.type === 'BLOCK_LITERAL' ? start + 1 : start;
        const folded = item.type === 'BLOCK_FOLDED' || item.type === 'PLAIN' || item.type === 'QUOTE_DOUBLE' || item.type === 'QUOTE_SINGLE';
        item.value.replace(/\n$/, '').split('\n').forEach((lineText, index) => lines.push({ text: lineText, line: folded ? start : first + index }));
      }
      if (lines.length > 0) out.push({ job, section, lines });
    }
  }
  return out;
}

let shellcheckProbe: Promise<boolean> | undefined;

export const gitlabShellcheckCheck: Check = {
  id: 'validator.shellcheck-gitlab',
  title: 'Shell in .gitlab-ci.yml scripts passes shellcheck',
  group: 'validator',
  applies: (repo) => repo.answers.ci === 'gitlab',
  async run(repo) {
    if (!repo.exists(ciFile)) return outcome([missingFile(ciFile, 'the answers chose GitLab CI')]);
    shellcheckProbe ??= execa('shellcheck', ['--version'], { reject: false }).then((result) => result.exitCode === 0, () => false);
    if (!(await shellcheckProbe)) return skippedOutcome('shellcheck not available');
    const findings: Finding[] = [];
    const scripts = gitlabScripts(await repo.read(ciFile));
    for (const { job, section, lines } of scripts) {
      // Job images differ (Alpine, Debian): hold every script to POSIX sh.
      const result = await execa('shellcheck', ['--shell=sh', '-f', 'gcc', '-'], { input: lines.map((entry) => entry.text).join('\n'), reject: false });
      for (const output of result.stdout.split('\n')) {
        const match = /^-:(\d+):(\d+): (\w+): (.*)$/.exec(output);
        if (!match) continue;
        findings.push({
          file: ciFile,
          line: lines[Number(match[1]) - 1]?.line,
          message: `${job}.${section}: ${match[3]}: ${match[4]}`,
          fix: 'Fix the shell as the ShellCheck wiki page for that code explains (https://www.shellcheck.net/wiki/).',
        });
      }
    }
    return outcome(findings, `${scripts.length} scripts checked`);
  },
};
