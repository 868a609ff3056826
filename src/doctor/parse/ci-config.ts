// GitHub Actions workflows and .gitlab-ci.yml read into one small model of
// pipelines, jobs and steps, so checks that care about "what CI runs" are
// written once for both CI systems.

import type { Finding, RepoView } from '../types.js';
import { oncePerRepo } from './per-repo.js';
import { asArray, asRecord, getIn, readYaml, type YamlDoc, type YamlPath } from './yaml-file.js';

export interface CiStep {
  /** Shell run by the step (GitHub `run:`, one GitLab script line). */
  run?: string;
  /** GitHub action reference (`owner/repo@ref`). */
  uses?: string;
  with: Record<string, unknown>;
  path: YamlPath;
  /** GitHub `run:` steps: the shell (the step's, else the job's or the file's default, else bash). */
  shell?: string;
}

export interface CiJob {
  id: string;
  needs: string[];
  /** GitLab stage. */
  stage?: string;
  env: Record<string, string>;
  steps: CiStep[];
  /** The job's raw mapping (GitHub `permissions`, `environment`, GitLab `rules`...). */
  raw: Record<string, unknown>;
  path: YamlPath;
}

export interface CiPipeline {
  /** A workflow or .gitlab-ci.yml; GitHub composite actions (`runs.steps`, one job "runs") are in CiConfig.actions. */
  kind: 'pipeline' | 'action';
  file: string;
  doc: YamlDoc;
  /** GitHub `on:` event names; GitLab: pipeline sources its rules mention. */
  triggers: string[];
  env: Record<string, string>;
  jobs: CiJob[];
}

export interface CiConfig {
  system: 'github' | 'gitlab';
  pipelines: CiPipeline[];
  /** GitHub: the repository's own composite actions (`.github/actions/NAME/action.yml`). */
  actions: CiPipeline[];
  errors: Finding[];
}

/** The repository's own GitHub composite actions (`uses: ./.github/actions/NAME`). */
export function actionFiles(repo: RepoView): string[] {
  return repo.answers.ci === 'github' ? repo.files.filter((file) => /^\.github\/actions\/.+\/action\.ya?ml$/.test(file)) : [];
}

export function ciFiles(repo: RepoView): string[] {
  return repo.answers.ci === 'github'
    ? repo.files.filter((file) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(file))
    : repo.files.filter((file) => file === '.gitlab-ci.yml' || (file.startsWith('.gitlab/') && /\.ya?ml$/.test(file)));
}

/** The CI model, built once per RepoView. */
export function readCiConfig(repo: RepoView): Promise<CiConfig> {
  return oncePerRepo(repo, 'ci-model', () => buildCiConfig(repo));
}

async function buildCiConfig(repo: RepoView): Promise<CiConfig> {
  const system = repo.answers.ci;
  const pipelines: CiPipeline[] = [];
  const actions: CiPipeline[] = [];
  const errors: Finding[] = [];
  for (const file of ciFiles(repo)) {
    const parsed = await readYaml(repo, file);
    errors.push(...parsed.errors);
    for (const doc of parsed.docs) {
      const pipeline = system === 'github' ? githubPipeline(doc) : gitlabPipeline(doc);
      if (pipeline) pipelines.push(pipeline);
    }
  }
  for (const file of actionFiles(repo)) {
    const parsed = await readYaml(repo, file);
    errors.push(...parsed.errors);
    for (const doc of parsed.docs) {
      const action = compositeAction(doc);
      if (action) actions.push(action);
    }
  }
  return { system, pipelines, actions, errors };
}

function githubSteps(value: unknown, base: YamlPath, inheritedShell: string): CiStep[] {
  return asArray(value).map((step, index): CiStep => {
    const record = asRecord(step) ?? {};
    return {
      ...(typeof record.run === 'string' ? { run: record.run, shell: typeof record.shell === 'string' ? record.shell : inheritedShell } : {}),
      ...(typeof record.uses === 'string' ? { uses: record.uses } : {}),
      with: asRecord(record.with) ?? {},
      path: [...base, index],
    };
  });
}

const shellOf = (value: unknown, fallback: string) => (typeof getIn(value, ['defaults', 'run', 'shell']) === 'string' ? String(getIn(value, ['defaults', 'run', 'shell'])) : fallback);

/** A composite action: its `runs.steps` as the steps of one job, "runs". */
function compositeAction(doc: YamlDoc): CiPipeline | undefined {
  const data = asRecord(doc.data);
  if (!data) return undefined;
  const steps = githubSteps(getIn(data, ['runs', 'steps']), ['runs', 'steps'], 'bash');
  return { kind: 'action', file: doc.file, doc, triggers: [], env: {}, jobs: [{ id: 'runs', needs: [], env: {}, steps, raw: asRecord(data.runs) ?? {}, path: ['runs'] }] };
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(asRecord(value) ?? {})) {
    // GitLab allows `VAR: { value: ..., description: ... }`.
    const scalar = asRecord(entry)?.value ?? entry;
    if (scalar !== null && typeof scalar !== 'object') out[key] = String(scalar);
  }
  return out;
}

function githubPipeline(doc: YamlDoc): CiPipeline | undefined {
  const data = asRecord(doc.data);
  if (!data) return undefined;
  const on = data.on ?? data.true; // YAML 1.1 readers turn `on` into true; the yaml package does not, but be safe.
  const triggers = typeof on === 'string' ? [on] : Array.isArray(on) ? on.map(String) : Object.keys(asRecord(on) ?? {});
  const fileShell = shellOf(data, 'bash');
  const jobs = Object.entries(asRecord(data.jobs) ?? {}).map(([id, value]): CiJob => {
    const job = asRecord(value) ?? {};
    const needs = typeof job.needs === 'string' ? [job.needs] : asArray(job.needs).map(String);
    const steps = githubSteps(job.steps, ['jobs', id, 'steps'], shellOf(job, fileShell));
    // A reusable-workflow call is a job with `uses:` and no steps.
    if (typeof job.uses === 'string') steps.push({ uses: job.uses, with: asRecord(job.with) ?? {}, path: ['jobs', id] });
    return { id, needs, env: stringMap(job.env), steps, raw: job, path: ['jobs', id] };
  });
  return { kind: 'pipeline', file: doc.file, doc, triggers, env: stringMap(data.env), jobs };
}

const gitlabReserved = new Set(['stages', 'variables', 'default', 'include', 'workflow', 'image', 'services', 'cache', 'before_script', 'after_script', 'types', 'pages:deploy']);

function gitlabPipeline(doc: YamlDoc): CiPipeline | undefined {
  const data = asRecord(doc.data);
  if (!data) return undefined;
  const definitions = Object.entries(data).filter(([key, value]) => !gitlabReserved.has(key) && asRecord(value));
  const byId = new Map(definitions.map(([key, value]) => [key, asRecord(value)!]));
  const jobs: CiJob[] = [];
  for (const [id] of definitions) {
    if (id.startsWith('.')) continue; // hidden templates: merged through `extends`
    const job = resolveExtends(id, byId, new Set());
    const steps: CiStep[] = [];
    const defaults = asRecord(data.default) ?? {};
    for (const key of ['before_script', 'script', 'after_script'] as const) {
      const lines = job[key] ?? defaults[key] ?? data[key];
      flattenScript(lines).forEach((run, index) => steps.push({ run, with: {}, path: [id, key, index] }));
    }
    const needs = asArray(job.needs).map((need) => (typeof need === 'string' ? need : String(asRecord(need)?.job ?? '')));
    jobs.push({
      id,
      needs: needs.filter(Boolean),
      ...(typeof job.stage === 'string' ? { stage: job.stage } : {}),
      env: stringMap(job.variables),
      steps,
      raw: job,
      path: [id],
    });
  }
  const text = JSON.stringify(data);
  const triggers = [...new Set([...text.matchAll(/CI_PIPELINE_SOURCE\s*==\s*\\?["']?(\w+)/g)].map((match) => match[1]!))];
  return { kind: 'pipeline', file: doc.file, doc, triggers, env: stringMap(data.variables), jobs };
}

/** A job with its `extends` chain merged in (job keys win, as in GitLab). */
function resolveExtends(id: string, byId: Map<string, Record<string, unknown>>, seen: Set<string>): Record<string, unknown> {
  const job = byId.get(id) ?? {};
  if (seen.has(id)) return job;
  seen.add(id);
  const parents = typeof job.extends === 'string' ? [job.extends] : asArray(job.extends).map(String);
  let merged: Record<string, unknown> = {};
  for (const parent of parents) merged = { ...merged, ...resolveExtends(parent, byId, seen) };
  const variables = { ...(asRecord(merged.variables) ?? {}), ...(asRecord(job.variables) ?? {}) };
  return { ...merged, ...job, variables };
}

function flattenScript(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return asArray(value).flatMap((item) => flattenScript(item));
}

/** Every shell line CI runs, with where it is. */
export function ciRunLines(config: CiConfig): Array<{ pipeline: CiPipeline; job: CiJob; step: CiStep; text: string }> {
  return config.pipelines.flatMap((pipeline) =>
    pipeline.jobs.flatMap((job) => job.steps.filter((step) => step.run).map((step) => ({ pipeline, job, step, text: step.run! }))),
  );
}

/** Jobs that run `job` before them: its `needs`, transitively (GitHub), or earlier stages (GitLab). */
export function runsBefore(pipeline: CiPipeline, earlier: CiJob, later: CiJob, stages: readonly string[] = []): boolean {
  const byId = new Map(pipeline.jobs.map((job) => [job.id, job]));
  const seen = new Set<string>();
  const visit = (job: CiJob): boolean => {
    for (const need of job.needs) {
      if (need === earlier.id) return true;
      const next = byId.get(need);
      if (next && !seen.has(need)) {
        seen.add(need);
        if (visit(next)) return true;
      }
    }
    return false;
  };
  if (visit(later)) return true;
  if (later.needs.length === 0 && earlier.stage && later.stage) {
    return stages.indexOf(earlier.stage) !== -1 && stages.indexOf(earlier.stage) < stages.indexOf(later.stage);
  }
  return false;
}

/** GitLab's stages in order (its defaults when the file declares none). */
export function gitlabStages(pipeline: CiPipeline): string[] {
  const declared = asArray(getIn(pipeline.doc.data, ['stages'])).map(String);
  return ['.pre', ...(declared.length > 0 ? declared : ['build', 'test', 'deploy']), '.post'];
}
