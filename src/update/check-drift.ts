// `mlforge update --check` (for CI): does the repository still match what its
// .mlforge.yml declares? Drift is: leftover conflict markers from an update,
// an edited file the template owns, or recorded hashes this release's shipped
// templates no longer reproduce. A newer mlforge is only a notice.

import { lstatSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileHash } from '../plan/provenance.js';
import { mlforgeVersion } from '../version.js';
import { policyResolver } from './policy.js';
import { currentTemplates } from '../render/current-templates.js';
import { markedFiles, readRecorded, refuseNewer, renderBase } from './run-update.js';
import { loadSnapshotFor } from './template-history.js';
import { defaultTemplatesRoot } from '../render/template-set.js';
import { compareVersions } from './versions.js';

export interface Drift {
  path: string;
  problem: 'conflict markers' | 'template-owned file edited' | 'not reproducible';
  detail: string;
}

export interface CheckResult {
  ok: boolean;
  status: 'clean' | 'drift';
  directory: string;
  version: string;
  drift: Drift[];
  notices: string[];
}

export async function checkDrift(directoryArg: string): Promise<CheckResult> {
  const directory = resolve(directoryArg);
  const recorded = await readRecorded(directory);
  refuseNewer(recorded);
  const drift: Drift[] = [];
  const notices: string[] = [];
  const paths = Object.keys(recorded.files).sort();
  for (const path of markedFiles(directory, paths)) {
    drift.push({ path, problem: 'conflict markers', detail: 'unresolved markers from an mlforge update' });
  }
  const snapshot = await loadSnapshotFor(defaultTemplatesRoot(), recorded.version, await currentTemplates());
  const base = snapshot ? renderBase(recorded, snapshot, notices) : undefined;
  if (!base) {
    drift.push({
      path: '.mlforge.yml',
      problem: 'not reproducible',
      detail: `mlforge ${mlforgeVersion} cannot re-render mlforge ${recorded.version}'s templates for these answers`,
    });
  } else {
    const rendered = new Map(base.map((file) => [file.path, file]));
    for (const path of paths) {
      const file = rendered.get(path);
      if (!file) drift.push({ path, problem: 'not reproducible', detail: `mlforge ${recorded.version} with the recorded answers does not generate it` });
      else if (fileHash(file.contents) !== recorded.files[path]) {
        drift.push({ path, problem: 'not reproducible', detail: 'the recorded hash differs from the re-render (hand-edited .mlforge.yml?)' });
      }
    }
  }
  const policyOf = policyResolver(snapshot?.rules ?? [], recorded.policy);
  const templateOf = new Map((base ?? []).map((file) => [file.path, file.template]));
  for (const path of paths) {
    if (policyOf(path, templateOf.get(path)) !== 'template') continue;
    const full = join(directory, path);
    let text: string;
    try {
      if (!lstatSync(full).isFile()) continue;
      text = readFileSync(full, 'utf8');
    } catch {
      continue;
    }
    if (fileHash(text) !== recorded.files[path]) {
      drift.push({ path, problem: 'template-owned file edited', detail: 'owned by the template: change it through mlforge, or set its policy in .mlforge.yml' });
    }
  }
  if (compareVersions(mlforgeVersion, recorded.version) > 0) {
    notices.push(`mlforge ${mlforgeVersion} is newer than ${recorded.version}, which generated this repository: \`mlforge update\` brings it up to date`);
  }
  return { ok: drift.length === 0, status: drift.length === 0 ? 'clean' : 'drift', directory, version: recorded.version, drift, notices };
}
