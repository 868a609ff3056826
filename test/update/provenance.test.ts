// .mlforge.yml: deterministic writer, reader, schema 1 migration, and no yaml on the `new` path.

import { build } from 'esbuild';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { emitProvenance, parseProvenance, provenanceData, type Provenance } from '../../src/plan/provenance.js';
import { answersWith } from '../helpers/generate.js';
import { repoRoot } from '../helpers/cli.js';

const hostile = ['.inf', '.NaN', '.5', '.5e3', 'yes', 'null', '3.12', 'a: b', '#x', "it's", 'quote"d', 'back\\slash', 'Ünïcödé', '- dash', '{{x}}', 'tab-free ${{ x }}'];

describe('provenance', () => {
  it('writes YAML that the yaml package reads back exactly, for awkward strings', async () => {
    for (const text of hostile) {
      const data = provenanceData({
        files: [{ path: 'README.md', contents: text, mode: 0o644 }, { path: 'deploy/x.sh', contents: 'x', mode: 0o755 }],
        answers: answersWith({ description: text, author: text }),
        version: '0.2.0',
        templates: 'sha256:abc',
        declined: ['docs/runbook.md'],
        policy: { 'docs/**': 'user' },
      });
      const emitted = emitProvenance(data);
      expect(parseYaml(emitted)).toEqual(data);
      expect(await parseProvenance(emitted)).toEqual(data);
      expect(data.executable).toEqual(['deploy/x.sh']);
    }
  });

  it('migrates schema 1 in memory', async () => {
    const text = `mlforge: 0.1.0\nschema: 1\nanswers:\n  name: churn\nfiles:\n  README.md: sha256:${'a'.repeat(64)}\n`;
    const migrated: Provenance = await parseProvenance(text);
    expect(migrated).toMatchObject({ version: '0.1.0', schema: 2, templates: '', executable: [], declined: [], policy: {} });
  });

  it('names what is wrong in a bad file', async () => {
    await expect(parseProvenance('schema: 9\n')).rejects.toThrow(/schema 9 is not one this mlforge reads/);
    await expect(parseProvenance('version: "0.2.0"\nschema: 2\nanswers: {}\nfiles:\n  a: md5:1\n')).rejects.toThrow(/"files" entry "a" must be sha256/);
    await expect(parseProvenance('version: "0.2.0"\nschema: 2\nanswers: {}\nfiles: {}\npolicy:\n  a: mine\n')).rejects.toThrow(/must be one of merge, template, user, union/);
  });

  it('planning (the `new` path) does not bundle the yaml package', async () => {
    const result = await build({ entryPoints: [`${repoRoot}/src/plan/plan-project.ts`], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', logLevel: 'silent' });
    const inputs = result.metafile!.inputs;
    expect(Object.keys(inputs).some((input) => input.includes('src/plan/provenance.ts'))).toBe(true);
    // Only the reader reaches yaml, through a dynamic import that runs when a file is read.
    const staticYaml = Object.entries(inputs)
      .filter(([input]) => !input.includes('node_modules/yaml/'))
      .flatMap(([input, info]) => info.imports.filter((imp) => imp.path.includes('node_modules/yaml/') && imp.kind !== 'dynamic-import').map(() => input));
    expect(staticYaml).toEqual([]);
  });
});
