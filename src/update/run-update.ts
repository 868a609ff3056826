// `mlforge update` and `mlforge add`: read provenance -> refuse what the target's
// state forbids -> answers -> base (verified) and new render -> classify ->
// one change set, applied all or nothing (or only shown, with --dry-run).

import { existsSync, lstatSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ChecksFailedError, ConflictError } from '../errors.js';
import { planProject, type PlannedFile, type PlanTemplates } from '../plan/plan-project.js';
import { fileHash, parseProvenance, PROVENANCE_FILE, ProvenanceError, provenanceFile, type Provenance } from '../plan/provenance.js';
import type { Answers } from '../questions/table.js';
import { currentTemplates } from '../render/current-templates.js';
import { defaultTemplatesRoot } from '../render/template-set.js';
import { mlforgeVersion } from '../version.js';
import { applyChanges } from './apply-changes.js';
import { classify, type Change, type FileOutcome } from './classify.js';
import { gitState } from './git-state.js';
import { hasUpdateMarkers } from './merge-text.js';
import { movedFrom } from './migrations.js';
import { policyResolver } from './policy.js';
import { loadSnapshotFor } from './template-history.js';
import { updatedAnswers } from './update-answers.js';
import { compareVersions } from './versions.js';

export interface UpdateRequest {
  directory: string;
  /** `--set key=value` pairs (update) or a capability's answer changes (add). */
  sets: Record<string, unknown>;
  /** add: re-render with the recorded release's templates, so the diff is only the answer change. */
  pinned: boolean;
  dryRun: boolean;
  allowDirty: boolean;
  onInterrupt?: (undo: () => void) => () => void;
  beforeStep?: (path: string, index: number) => Promise<void> | void;
}

export interface UpdateResult {
  ok: boolean;
  status: 'nothing' | 'clean' | 'conflicts';
  dryRun: boolean;
  directory: string;
  from: string;
  to: string;
  answers: Answers;
  files: FileOutcome[];
  /** Paths written or deleted (or that would be, with --dry-run), `.mlforge.yml` included. */
  changed: string[];
  notices: string[];
}

/** Exit 1 after the report: conflicts were written (or, with --dry-run, would be). */
export class UpdateConflictsError extends ChecksFailedError {}

export async function runUpdate(request: UpdateRequest): Promise<UpdateResult> {
  const directory = resolve(request.directory);
  const recorded = await readRecorded(directory);
  const notices: string[] = [];
  refuseNewer(recorded);
  await refuseDirty(directory, request.allowDirty, notices);
  refuseMarkers(directory, recorded);

  const templatesRoot = defaultTemplatesRoot();
  const current = await currentTemplates();
  const baseTemplates = await loadSnapshotFor(templatesRoot, recorded.version, current);
  if (!baseTemplates) {
    notices.push(
      `this mlforge ships no templates of mlforge ${recorded.version}: files you edited cannot be merged and are left as they are`,
    );
  }
  let target: { templates: PlanTemplates; version: string };
  if (request.pinned) {
    if (!baseTemplates) {
      throw new ConflictError(
        `mlforge ${mlforgeVersion} cannot re-render the templates of mlforge ${recorded.version} that generated ${directory}, ` +
          'so it cannot add or remove only this capability. Run `mlforge update` first, commit, then run this again.',
      );
    }
    target = { templates: baseTemplates, version: recorded.version };
  } else {
    target = { templates: current, version: mlforgeVersion };
  }

  const { answers, notes } = await updatedAnswers(recorded.answers, request.sets);
  notices.push(...notes);
  const edited = (path: string) => {
    const full = join(directory, path);
    try {
      return !lstatSync(full).isFile() || fileHash(readFileSync(full, 'utf8')) !== recorded.files[path];
    } catch {
      return true;
    }
  };
  const base = baseTemplates ? renderBase(recorded, baseTemplates, notices, edited) : undefined;
  const targetFiles = withoutProvenance(planProject(answers, target.templates, target.version).files);
  const policyOf = policyResolver(target.templates.rules, recorded.policy);
  const moves = request.pinned ? new Map<string, string>() : await movedFrom(templatesRoot, recorded.version, target.version);
  const paths = new Set([...targetFiles.map((f) => f.path), ...Object.keys(recorded.files), ...(base ?? []).map((f) => f.path)]);
  const ours = readOurs(directory, paths);
  const { outcomes, changes, declined } = classify({
    recorded: recorded.files,
    base,
    target: targetFiles,
    ours,
    movedFrom: moves,
    policyOf,
    labels: { base: `mlforge ${recorded.version}`, theirs: `mlforge ${target.version}` },
  });

  const provenance = provenanceFile({
    files: targetFiles,
    answers,
    version: target.version,
    templates: target.templates.fingerprint ?? '',
    declined,
    policy: recorded.policy,
  });
  const allChanges: Change[] = [...changes];
  if (readFileSync(join(directory, PROVENANCE_FILE), 'utf8') !== provenance.contents) {
    allChanges.push({ kind: 'write', path: PROVENANCE_FILE, contents: provenance.contents, mode: provenance.mode });
  }
  const conflicts = outcomes.some((outcome) => outcome.verdict === 'conflict');
  if (!request.dryRun && allChanges.length > 0) {
    await applyChanges(directory, allChanges, {
      ...(request.onInterrupt ? { onInterrupt: request.onInterrupt } : {}),
      ...(request.beforeStep ? { beforeStep: request.beforeStep } : {}),
    });
  }
  return {
    ok: !conflicts,
    status: conflicts ? 'conflicts' : allChanges.length === 0 ? 'nothing' : 'clean',
    dryRun: request.dryRun,
    directory,
    from: recorded.version,
    to: target.version,
    answers,
    files: outcomes,
    changed: allChanges.map((change) => change.path),
    notices,
  };
}

export async function readRecorded(directory: string): Promise<Provenance> {
  let stats;
  try {
    stats = statSync(directory);
  } catch {
    throw new ConflictError(`${directory} does not exist.`);
  }
  if (!stats.isDirectory()) throw new ConflictError(`${directory} is not a folder.`);
  const path = join(directory, PROVENANCE_FILE);
  if (!existsSync(path)) {
    throw new ConflictError(`${directory} has no ${PROVENANCE_FILE}: it was not generated by mlforge (or the file was removed).`);
  }
  try {
    return await parseProvenance(readFileSync(path, 'utf8'));
  } catch (error) {
    if (error instanceof ProvenanceError) throw new ConflictError(`Cannot use ${path}: ${error.message}.`, { cause: error });
    throw error;
  }
}

export function refuseNewer(recorded: Provenance): void {
  if (compareVersions(recorded.version, mlforgeVersion) > 0) {
    throw new ConflictError(
      `This repository was generated by mlforge ${recorded.version}, newer than this mlforge ${mlforgeVersion}. ` +
        `Run a newer mlforge (npx mlforge@${recorded.version} update).`,
    );
  }
}

async function refuseDirty(directory: string, allowDirty: boolean, notices: string[]): Promise<void> {
  const state = await gitState(directory);
  if (state.kind === 'no-git') {
    notices.push(`no git safety net (${state.reason}): review the changes carefully`);
    return;
  }
  if (state.kind === 'dirty' && !allowDirty) {
    const shown = state.paths.slice(0, 5).join(', ') + (state.paths.length > 5 ? ', ...' : '');
    throw new ConflictError(
      `${directory} has uncommitted changes (${shown}). Commit or stash them first, so the update is one reviewable change, ` +
        'or pass --allow-dirty.',
    );
  }
}

function refuseMarkers(directory: string, recorded: Provenance): void {
  const marked = markedFiles(directory, Object.keys(recorded.files));
  if (marked.length > 0) {
    throw new ConflictError(
      `Unresolved conflict markers from a previous mlforge update in ${marked.join(', ')}. ` +
        'Resolve them (keep the lines you want, remove the <<<<<<< ||||||| ======= >>>>>>> lines), commit, then update again.',
    );
  }
}

export function markedFiles(directory: string, paths: readonly string[]): string[] {
  return paths.filter((path) => {
    const full = join(directory, path);
    try {
      return lstatSync(full).isFile() && hasUpdateMarkers(readFileSync(full, 'utf8'));
    } catch {
      return false;
    }
  });
}

/**
 * The base render. With `needed`, only files whose contents matter are rendered (those you edited: an
 * unedited file is its own base, verified by its hash); the rest keep their path and template but no contents.
 */
export function renderBase(
  recorded: Provenance,
  templates: PlanTemplates,
  notices: string[],
  needed?: (path: string) => boolean,
): PlannedFile[] | undefined {
  try {
    if (needed) {
      const skeleton = planProject(recorded.answers, { ...templates, compile: () => () => '' }, recorded.version);
      const wanted = new Set(skeleton.files.filter((file) => file.template && needed(file.path)).map((file) => file.template));
      const partial = { ...templates, compile: (file: { path: string; executable: boolean }) => (wanted.has(file.path) ? templates.compile(file) : () => '') };
      return withoutProvenance(planProject(recorded.answers, partial, recorded.version).files);
    }
    return withoutProvenance(planProject(recorded.answers, templates, recorded.version).files);
  } catch (error) {
    notices.push(`the recorded answers no longer render with mlforge ${recorded.version}'s templates (${(error as Error).message})`);
    return undefined;
  }
}

function withoutProvenance(files: PlannedFile[]): PlannedFile[] {
  return files.filter((file) => file.path !== PROVENANCE_FILE);
}

function readOurs(directory: string, paths: Iterable<string>): Map<string, string | undefined> {
  const ours = new Map<string, string | undefined>();
  for (const path of paths) {
    const full = join(directory, path);
    let stats;
    try {
      stats = lstatSync(full);
    } catch {
      ours.set(path, undefined);
      continue;
    }
    if (!stats.isFile()) {
      throw new ConflictError(`${path} in ${directory} is ${stats.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; mlforge update only reads and writes regular files. Move it away and try again.`);
    }
    ours.set(path, readFileSync(full, 'utf8'));
  }
  return ours;
}
