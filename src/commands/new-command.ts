// `mlforge new`: answers -> plan -> write -> post-steps -> summary.

import { homedir } from 'node:os';
import { basename, relative, resolve } from 'node:path';
import { resolveAnswers, type Prompter } from '../answers/resolve-answers.js';
import { servicePort } from '../derive.js';
import { CancelledError } from '../errors.js';
import { formatNextSteps, nextSteps } from '../plan/next-steps.js';
import { planProject, type Plan } from '../plan/plan-project.js';
import { gitInit, type GitResult } from '../post/git-init.js';
import { runGit } from '../post/run-git.js';
import type { Answers } from '../questions/table.js';
import { bundledTemplates } from '../render/bundled-templates.js';
import { templateSetFromBundle } from '../render/template-bundle.js';
import type { TemplateSet } from '../render/template-set.js';
import type { CommandContext } from '../ui/context.js';
import { createOutput, renderTree, type Output } from '../ui/output.js';
import { mlforgeVersion } from '../version.js';
import { classifyLeftoverName } from '../write/leftovers.js';
import { inspectTarget, type TargetState } from '../write/target-state.js';
import { previewWrite, targetConflict, writePlan, type WriteResult } from '../write/write-plan.js';

export interface NewOptions {
  flags: Partial<Record<keyof Answers, unknown>>;
  config?: string;
  yes: boolean;
  dryRun: boolean;
  force: boolean;
  git: boolean;
  json: boolean;
  quiet: boolean;
  templatesRoot?: string;
}

export interface NewResult {
  ok: true;
  dryRun: boolean;
  directory: string;
  answers: Answers;
  files: string[];
  overwritten: string[];
  unchanged: string[];
  git: GitResult;
}

export async function runNew(directoryArg: string | undefined, options: NewOptions, ctx: CommandContext): Promise<NewResult> {
  const out = createOutput(ctx, options);
  // The config reader brings the YAML parser: loaded only with --config.
  const config = options.config ? await (await import('../answers/config-file.js')).loadConfigFile(resolve(ctx.cwd, options.config)) : undefined;
  // git is asked for the author's default at once, and answers while the prompter, the target check and the templates load.
  const authorGiven = options.flags.author !== undefined || config?.values.author !== undefined;
  const gitUserName = authorGiven ? Promise.resolve(undefined) : globalGitUserName(ctx.env);
  const prompter = !options.yes && ctx.interactive ? await ctx.loadPrompter() : undefined;
  // The target is checked as soon as it is known: before any question with a directory
  // argument, right after the name without one; a dry run writes nothing and checks nothing.
  const checkTarget = async (path: string) => {
    if (options.dryRun) return;
    let state: TargetState;
    try {
      state = await inspectTarget(path);
    } catch {
      return; // a refusal of the file system: the writer reports it with its reason and exit code
    }
    // Leftovers of an interrupted run do not make a target non-empty: the writer cleans them.
    if (state.kind === 'non-empty-directory') {
      const entries = state.entries.filter((entry) => classifyLeftoverName(entry) === undefined);
      state = entries.length > 0 ? { ...state, entries } : { kind: 'empty-directory' };
    }
    const conflict = targetConflict(path, state, options.force);
    if (conflict) throw conflict;
  };
  if (directoryArg !== undefined) await checkTarget(resolve(ctx.cwd, directoryArg));
  const templates = await loadTemplates(options.templatesRoot);
  const gitUser = await gitUserName;
  if (prompter) {
    out.line(`mlforge ${mlforgeVersion}: a few questions about your model service, then the repository is written.`);
    out.line(out.color.dim('Enter takes the default shown; Ctrl-C quits. Nothing is written until you confirm.'));
  }
  const answers = await resolveAnswers({
    flags: options.flags,
    ...(config ? { config } : {}),
    ...(prompter ? { prompter } : {}),
    // A dry run writes nothing, so without a terminal it takes the defaults for missing answers.
    yes: options.yes || (options.dryRun && !prompter),
    hints: {
      ...(directoryArg ? { directoryName: basename(resolve(ctx.cwd, directoryArg)) } : {}),
      ...(gitUser ? { gitUserName: gitUser } : {}),
    },
    onAnswer: async (key, partial) => {
      if (key === 'name' && directoryArg === undefined) await checkTarget(resolve(ctx.cwd, String(partial.name)));
    },
  });
  const target = resolve(ctx.cwd, directoryArg ?? answers.name);
  const plan = planProject(answers, templates, mlforgeVersion);

  if (options.dryRun) {
    // The same checks as the real run (conflicts exit 3 the same way), without writing.
    const verdict = previewWrite(plan, target, { force: options.force });
    printPlan(out, plan, target, ctx.cwd);
    for (const path of verdict.overwritten) out.line(`  ${out.color.yellow('would overwrite')} ${path}`);
    const preview = { target, created: verdict.mode !== 'merge', written: verdict.written, overwritten: verdict.overwritten, unchanged: verdict.unchanged };
    return result(plan, target, true, preview, { status: 'skipped', reason: 'dry run' });
  }
  if (prompter) await confirmWrite(out, prompter, plan, target, ctx.cwd);

  const endWrite = out.progress(`Writing ${files(plan.files.length)} to ${describe(displayPath(ctx.cwd, target))}`);
  let written: WriteResult;
  try {
    written = await writePlan(plan, target, {
      force: options.force,
      onInterrupt: ctx.onInterrupt,
      ...writeDelayForTests(ctx.env),
    });
  } catch (error) {
    endWrite('Nothing was written', false);
    throw error;
  }
  endWrite(`Wrote ${files(written.written.length)} to ${describe(displayPath(ctx.cwd, target))}`);
  for (const path of written.overwritten) out.line(`  ${out.color.yellow('overwritten')} ${path}`);
  for (const path of written.leftovers?.removed ?? []) out.warn(`removed a leftover of an interrupted mlforge run: ${path}`);
  for (const { path, meaning } of written.leftovers?.kept ?? []) out.warn(`left in place: ${path} (${meaning})`);

  let git: GitResult = { status: 'skipped', reason: '--no-git' };
  if (options.git) {
    const endGit = out.progress('Initialising git repository');
    git = await gitInit(target, { env: ctx.env, mlforgeVersion, paths: plan.files.map((file) => file.path) });
    // Reported once: a line when it committed or was skipped by design (inside a repository),
    // one warning on stderr when git is missing or failed.
    if (git.status === 'committed') endGit(`git repository on branch ${git.branch}, commit ${git.commit}`);
    else if (git.status === 'skipped' && git.reason.includes('inside an existing')) endGit(`git init skipped: ${git.reason}`);
    else {
      endGit();
      out.warn(`git ${git.status}: ${git.reason}`);
    }
  }
  printNextSteps(out, plan.answers, target, ctx.cwd);
  return result(plan, target, false, written, git);
}

/** The templates compiled into the CLI at build time; else (from source, a templates folder) compiled from templates/. */
async function loadTemplates(root: string | undefined): Promise<TemplateSet> {
  if (root === undefined && bundledTemplates) return templateSetFromBundle(bundledTemplates);
  // Imported lazily: it brings the Handlebars compiler, which the bundled path never needs.
  const { defaultTemplatesRoot, loadTemplateSet } = await import('../render/template-set.js');
  return loadTemplateSet(root ?? defaultTemplatesRoot());
}

function result(plan: Plan, target: string, dryRun: boolean, written: WriteResult | undefined, git: GitResult): NewResult {
  return {
    ok: true,
    dryRun,
    directory: target,
    answers: plan.answers,
    files: plan.files.map((file) => file.path),
    overwritten: written?.overwritten ?? [],
    unchanged: written?.unchanged ?? [],
    git,
  };
}

/** `1 file`, `122 files`. */
function files(count: number): string {
  return `${count} ${count === 1 ? 'file' : 'files'}`;
}

/**
 * `git config --global user.name`, run outside any repository so a project's config cannot steer it; bounded.
 * Through node's child_process (run-git.ts) like the git post-step: no process library on the path of `new`.
 */
async function globalGitUserName(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const found = await runGit(['config', '--global', 'user.name'], { cwd: homedir(), env, timeoutMs: 2000, onSpawn: () => {} }).catch(() => undefined);
  const name = found?.ok ? found.stdout.trim() : '';
  return name === '' ? undefined : name;
}

async function confirmWrite(out: Output, prompter: Prompter, plan: Plan, target: string, cwd: string): Promise<void> {
  out.line();
  out.line(out.color.bold('Summary'));
  for (const [label, value] of answerRows(plan.answers)) out.line(`  ${label.padEnd(12)} ${value}`);
  const where = describe(displayPath(cwd, target));
  if (!(await prompter.confirm(`Write ${files(plan.files.length)} to ${where}?`, true))) {
    throw new CancelledError('Not confirmed: nothing was written.');
  }
}

function answerRows(answers: Answers): Array<[string, string]> {
  const onOff = (value: boolean) => (value ? 'on' : 'off');
  return [
    ['name', answers.name],
    ['description', answers.description],
    ['author', answers.author],
    ['python', answers.python],
    ['cloud', answers.region ? `${answers.cloud} (${answers.region})` : answers.cloud],
    ['CI/CD', answers.ci],
    ['serving', answers.serving === 'fastapi' ? `${answers.serving}, ${answers.rollout} rollout` : answers.serving],
    ['monitoring', onOff(answers.monitoring)],
    ['DVC', onOff(answers.dvc)],
    ['GPU', onOff(answers.gpu)],
  ];
}

/** A displayed path in a sentence: `.` reads as "the current directory". */
function describe(path: string): string {
  return path === '.' ? 'the current directory' : path;
}

function displayPath(cwd: string, target: string): string {
  const rel = relative(cwd, target);
  return rel === '' ? '.' : rel.startsWith('..') ? target : rel;
}

function printPlan(out: Output, plan: Plan, target: string, cwd: string): void {
  out.line(out.color.bold(`Dry run: would write ${files(plan.files.length)} to ${describe(displayPath(cwd, target))}`));
  out.line(renderTree(plan.files.map((file) => file.path)));
  out.line();
  out.line(summaryOfAnswers(plan.answers));
  out.line('Nothing was written.');
}

function summaryOfAnswers(answers: Answers): string {
  const parts = [
    `cloud ${answers.cloud}${answers.region ? ` (${answers.region})` : ''}`,
    `CI ${answers.ci}`,
    `serving ${answers.serving}${answers.serving === 'fastapi' ? ` with ${answers.rollout} rollout` : ''}`,
    `Python ${answers.python}`,
    `monitoring ${answers.monitoring ? 'on' : 'off'}`,
    `DVC ${answers.dvc ? 'on' : 'off'}`,
    `GPU ${answers.gpu ? 'on' : 'off'}`,
  ];
  return `${answers.name}: ${parts.join(', ')}.`;
}

function printNextSteps(out: Output, answers: Answers, target: string, cwd: string): void {
  out.line();
  out.line(summaryOfAnswers(answers));
  out.line(out.color.bold('Next steps:'));
  for (const line of formatNextSteps(nextSteps(displayPath(cwd, target), servicePort))) out.line(line);
  out.line('See README.md for CI/CD, infrastructure and deployment.');
}

/** MLFORGE_TEST_WRITE_DELAY_MS slows each file write so tests can interrupt a run mid-write. */
function writeDelayForTests(env: NodeJS.ProcessEnv) {
  const delay = Number(env.MLFORGE_TEST_WRITE_DELAY_MS ?? 0);
  if (!(delay > 0)) return {};
  return { beforeFile: () => new Promise<void>((done) => setTimeout(done, delay)) };
}
