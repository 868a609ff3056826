// The shipped template history: this release's snapshot equals templates/,
// fingerprints agree with the runtime's, and every snapshot re-renders.

import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planProject } from '../../src/plan/plan-project.js';
import { defaultTemplatesRoot, loadTemplateSet } from '../../src/render/template-set.js';
import { loadSnapshot, type HistoryManifest } from '../../src/update/template-history.js';
import { answersWith, coreMatrix } from '../helpers/generate.js';
import { repoRoot } from '../helpers/cli.js';

const root = defaultTemplatesRoot();
const version = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')).version as string;
const fix = 'run `node scripts/snapshot-templates.mjs` to record templates/ as this release';

describe('template history', () => {
  it(`records this release (${version}) exactly as templates/ holds it`, async () => {
    const current = await loadTemplateSet(root);
    const snapshot = await loadSnapshot(root, version);
    expect(snapshot, `templates/history/${version}.json is missing: ${fix}`).toBeDefined();
    expect(snapshot!.fingerprint, `the snapshot of ${version} differs from templates/: ${fix}`).toBe(current.fingerprint);
    for (const answers of [{}, ...coreMatrix().slice(0, 3)].map((overrides) => answersWith(overrides))) {
      expect(planProject(answers, snapshot!, version).files).toEqual(planProject(answers, current, version).files);
    }
  });

  it('keeps every object content-addressed and referenced', async () => {
    const objects = new Set(await readdir(join(root, 'history', 'objects')));
    const referenced = new Set<string>();
    for (const name of (await readdir(join(root, 'history'))).filter((file) => file.endsWith('.json'))) {
      const manifest = JSON.parse(await readFile(join(root, 'history', name), 'utf8')) as HistoryManifest;
      expect(name).toBe(`${manifest.version}.json`);
      for (const object of Object.values(manifest.files)) {
        expect(objects.has(object), `${name}: object ${object}`).toBe(true);
        referenced.add(object);
      }
      // Loading verifies each object's SHA-256 and the snapshot renders every core combination.
      const snapshot = (await loadSnapshot(root, manifest.version))!;
      for (const combo of coreMatrix().filter((_, index) => index % 4 === 0)) planProject(answersWith(combo), snapshot, manifest.version);
    }
    expect([...objects].filter((object) => !referenced.has(object))).toEqual([]);
    const sizes = await Promise.all([...objects].map(async (object) => (await stat(join(root, 'history', 'objects', object))).size));
    console.log(`template history: ${objects.size} objects, ${sizes.reduce((a, b) => a + b, 0)} bytes uncompressed`);
  });
});
