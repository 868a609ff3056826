// The heart of `mlforge update`, pure: given what mlforge generated last time
// (the base, verified against the recorded hashes), what is on disk (ours) and
// the new render (theirs), decide a verdict for every file and the change set
// that carries it out. Files pair by template identity (plus declared moves),
// so a file whose path follows from an answer carries your edits to its new
// place.

import type { PlannedFile } from '../plan/plan-project.js';
import { fileHash, type Policy } from '../plan/provenance.js';
import { mergeText, type MergeHow, type MergeLabels } from './merge-text.js';
import type { PolicyOf } from './policy.js';

export type Verdict = 'unchanged' | 'updated' | 'kept yours' | 'merged' | 'conflict' | 'added' | 'removed' | 'declined';

export interface FileOutcome {
  path: string;
  verdict: Verdict;
  /** Where the file was before, when it moved. */
  from?: string;
  how?: MergeHow;
  reason?: string;
}

export type Change = { kind: 'write'; path: string; contents: string; mode: number } | { kind: 'delete'; path: string };

export interface ClassifyInput {
  /** path -> sha256: of the last pristine render (from .mlforge.yml). */
  recorded: Readonly<Record<string, string>>;
  /** The re-render of the recorded answers with the recorded release; undefined when that release is not shipped. */
  base: readonly PlannedFile[] | undefined;
  /** The new render, without .mlforge.yml. */
  target: readonly PlannedFile[];
  /** Contents on disk of every path above (undefined: absent). */
  ours: ReadonlyMap<string, string | undefined>;
  /** New template path -> template path in the recorded release. */
  movedFrom: ReadonlyMap<string, string>;
  policyOf: PolicyOf;
  labels: MergeLabels;
}

export interface Classification {
  outcomes: FileOutcome[];
  changes: Change[];
  declined: string[];
}

export function classify(input: ClassifyInput): Classification {
  const { recorded, ours } = input;
  const baseByTemplate = new Map((input.base ?? []).filter((file) => file.template).map((file) => [file.template!, file]));
  const baseByPath = new Map((input.base ?? []).map((file) => [file.path, file]));
  const outcomes: FileOutcome[] = [];
  const changes: Change[] = [];
  const declined: string[] = [];
  const claimed = new Set<string>();
  const targetPaths = new Set(input.target.map((file) => file.path));

  /** The base contents of a recorded path: yours when you never changed it, else the re-render when it reproduces. */
  const baseOf = (path: string): string | undefined => {
    const hash = recorded[path];
    if (hash === undefined) return undefined;
    const current = ours.get(path);
    if (current !== undefined && fileHash(current) === hash) return current;
    const rendered = baseByPath.get(path);
    return rendered !== undefined && fileHash(rendered.contents) === hash ? rendered.contents : undefined;
  };

  for (const file of input.target) {
    const oldTemplate = file.template === undefined ? undefined : (input.movedFrom.get(file.template) ?? file.template);
    const paired = oldTemplate === undefined ? undefined : baseByTemplate.get(oldTemplate);
    // Without a re-rendered base, pair by path; a base file whose path is not recorded is not a base at all.
    const basePath = paired && recorded[paired.path] !== undefined ? paired.path : recorded[file.path] !== undefined ? file.path : undefined;
    if (basePath !== undefined) claimed.add(basePath);
    const policy = input.policyOf(file.path, file.template);
    const decision = decide(file, basePath, policy);
    outcomes.push(decision.outcome);
    if (decision.outcome.verdict === 'declined') declined.push(file.path);
    changes.push(...decision.changes);
  }

  for (const path of Object.keys(recorded).sort()) {
    if (claimed.has(path) || targetPaths.has(path)) continue;
    const current = ours.get(path);
    if (current === undefined) continue;
    if (input.policyOf(path, baseByPath.get(path)?.template) === 'user') {
      outcomes.push({ path, verdict: 'kept yours', reason: 'no longer generated; yours by policy' });
    } else if (fileHash(current) === recorded[path]) {
      outcomes.push({ path, verdict: 'removed' });
      changes.push({ kind: 'delete', path });
    } else {
      outcomes.push({ path, verdict: 'conflict', reason: 'mlforge no longer generates it and you changed it: kept, decide yourself' });
    }
  }
  outcomes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { outcomes, changes, declined: declined.sort() };

  function decide(file: PlannedFile, basePath: string | undefined, policy: Policy): { outcome: FileOutcome; changes: Change[] } {
    const moved = basePath !== undefined && basePath !== file.path;
    const from = moved ? { from: basePath } : {};
    const current = ours.get(basePath ?? file.path);
    const write = (contents: string): Change[] => [
      { kind: 'write', path: file.path, contents, mode: file.mode },
      ...(moved ? [{ kind: 'delete', path: basePath } as const] : []),
    ];
    const done = (verdict: Verdict, contents: string | undefined, extra: Partial<FileOutcome> = {}) => ({
      outcome: { path: file.path, verdict, ...from, ...extra },
      changes: contents === undefined ? [] : write(contents),
    });

    if (moved && ours.get(file.path) !== undefined) {
      return done('conflict', undefined, { reason: `it moves from ${basePath}, but ${file.path} already exists: both kept` });
    }
    if (basePath === undefined) {
      if (current === undefined) return done('added', file.contents);
      if (current === file.contents) return done('unchanged', undefined);
      if (policy === 'user') return done('kept yours', undefined, { reason: 'yours by policy' });
      return merged(current, '', 'both you and mlforge created it');
    }
    if (current === undefined) return done('declined', undefined, { reason: 'you deleted it: not re-created' });
    if (policy === 'user') {
      return current === file.contents && !moved ? done('unchanged', undefined) : done('kept yours', moved ? current : undefined, { reason: 'yours by policy' });
    }
    if (current === file.contents) return moved ? done('updated', file.contents) : done('unchanged', undefined);
    const base = baseOf(basePath);
    if (base === undefined) {
      return {
        outcome: {
          path: file.path,
          verdict: 'conflict',
          ...from,
          reason: 'its base cannot be reproduced (the recorded hash matches no re-render), so your edits cannot be told from template changes: left untouched',
        },
        changes: [],
      };
    }
    if (current === base) return done('updated', file.contents);
    if (base === file.contents) return done('kept yours', moved ? current : undefined);
    return merged(current, base, undefined);

    function merged(oursText: string, baseText: string, reason: string | undefined) {
      const result = mergeText(oursText, baseText, file.contents, file.path, policy, input.labels);
      return done(result.conflict ? 'conflict' : 'merged', result.text, {
        how: result.how,
        ...(reason ? { reason } : result.conflict ? { reason: 'both changed the same lines: markers written' } : {}),
      });
    }
  }
}
