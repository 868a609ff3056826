// `mlforge new`: answers -> plan -> write -> post-steps -> summary.

import { basename, relative, resolve } from 'node:path';
import { loadConfigFile } from '../answers/config-file.js';
import { resolveAnswers } from '../answers/resolve-answers.js';
import { servicePort } from '../derive.js';
import { formatNextSteps, nextSteps } from '../plan/next-steps.js';
import { planProject, type Plan } from '../plan/plan-project.js';
import { gitInit, type GitResult } from '../post/git-init.js';
import type { Answers } from '../questions/table.js';
import { loadTemplateBundle } from '../render/template-bundle.js';
import type { TemplateSet } from '../render/template-set.js';
import type { CommandContext } from '../ui/context.js';
import { createOutput, renderTree, type Output } from '../ui/output.js';
import { mlforgeVersion } from '../version.js';
import { writePlan, type WriteResult } from '../write/write-plan.js';

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
  const config = options.config ? await loadConfigFile(resolve(ctx.cwd, options.config)) : undefined;
  const prompter = !options.yes && ctx.interactive ? await ctx.loadPrompter() : undefined;
  const answers = await resolveAnswers({
    flags: options.flags,
    ...(config ? { config } : {}),
    ...(prompter ? { prompter } : {}),
    yes: options.yes,
    hints: directoryArg ? { directoryName: basename(resolve(ctx.cwd, directoryArg)) } : {},
  });
  const target = resolve(ctx.cwd, directoryArg ?? answers.name);
  const templates = await loadTemplates(options.templatesRoot);
  const plan = planProject(answers, templates, mlforgeVersion);

  if (options.dryRun) {
    printPlan(out, plan, target, ctx.cwd);
    return result(plan, target, true, undefined, { status: 'skipped', reason: 'dry run' });
  }

  const endWrite = out.progress(`Writing ${plan.files.length} files to ${displayPath(ctx.cwd, target)}`);
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
  endWrite(`Wrote ${written.written.length} files to ${displayPath(ctx.cwd, target)}`);
  for (const path of written.overwritten) out.line(`  ${out.color.yellow('overwritten')} ${path}`);

  let git: GitResult = { status: 'skipped', reason: '--no-git' };
  if (options.git) {
    const endGit = out.progress('Initialising git repository');
    git = await gitInit(target, ctx.exec, mlforgeVersion);
    if (git.status === 'committed') endGit(`git repository on branch ${git.branch}, commit ${git.commit}`);
    else endGit(`git: skipped (${git.reason})`, git.status !== 'failed');
    if (git.status !== 'committed') out.warn(`git ${git.status}: ${git.reason}`);
  }
  printNextSteps(out, plan.answers, target, ctx.cwd);
  return result(plan, target, false, written, git);
}

/** The templates precompiled into dist/ when present; else (tests, a templates folder) compiled from source. */
async function loadTemplates(root: string | undefined): Promise<TemplateSet> {
  const bundled = root === undefined ? await loadTemplateBundle() : undefined;
  if (bundled) return bundled;
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

function displayPath(cwd: string, target: string): string {
  const rel = relative(cwd, target);
  return rel === '' ? '.' : rel.startsWith('..') ? target : rel;
}

function printPlan(out: Output, plan: Plan, target: string, cwd: string): void {
  out.line(out.color.bold(`Dry run: would write ${plan.files.length} files to ${displayPath(cwd, target)}`));
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
