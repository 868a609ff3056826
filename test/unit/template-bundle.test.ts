import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { planProject } from '../../src/plan/plan-project.js';
import { loadTemplateBundle, writeTemplateBundle } from '../../src/render/template-bundle.js';
import { answersWith, coreMatrix, templates } from '../helpers/generate.js';

describe('precompiled template bundle (dist/templates.js)', () => {
  it('plans byte-identical repositories to the templates compiled from source', async () => {
    const source = await templates();
    const file = join(await mkdtemp(join(tmpdir(), 'mlforge-bundle-')), 'templates.js');
    await writeTemplateBundle(source, file);
    const bundled = await loadTemplateBundle(pathToFileURL(file));
    expect(bundled).toBeDefined();
    expect(bundled!.files).toEqual(source.files.map(({ path, executable }) => ({ path, executable })));
    expect(bundled!.rules).toEqual(source.rules);
    for (const combo of coreMatrix()) {
      for (const toggles of [{}, { monitoring: false, dvc: true, gpu: true, python: '3.13' as const }]) {
        const answers = answersWith({ ...combo, ...toggles, description: 'Quotes " \' ${{ x }} {{ y }} \\ ünï' });
        expect(planProject(answers, bundled!, 'v').files).toEqual(planProject(answers, source, 'v').files);
      }
    }
  });

  it('is absent when the module does not exist', async () => {
    const missing = pathToFileURL(join(await mkdtemp(join(tmpdir(), 'mlforge-bundle-')), 'templates.js'));
    expect(await loadTemplateBundle(missing)).toBeUndefined();
  });
});
