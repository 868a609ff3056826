import { describe, expect, it } from 'vitest';
import { PROVENANCE_FILE, sha256 } from '../../src/plan/provenance.js';
import { parse as parseYaml } from 'yaml';
import { questions, type Answers } from '../../src/questions/table.js';
import { answersWith, coreMatrix, planFor } from '../helpers/generate.js';

const representative: Array<Partial<Answers>> = [
  {},
  { cloud: 'gcp', region: 'europe-west1', ci: 'gitlab', serving: 'kserve' },
  { cloud: 'azure', region: 'westeurope', rollout: 'canary', gpu: true, dvc: true },
  { cloud: 'local', monitoring: false, python: '3.13' },
];

describe('planProject', () => {
  it.each(representative.map((overrides) => [JSON.stringify(overrides), overrides] as const))(
    'plans the expected file list for %s',
    async (_label, overrides) => {
      const plan = await planFor(overrides);
      expect(plan.files.map((file) => `${file.mode.toString(8)} ${file.path}`)).toMatchSnapshot();
    },
  );

  it('is deterministic: the same answers give byte-identical files', async () => {
    const first = await planFor({ cloud: 'gcp', region: 'us-east1' });
    const second = await planFor({ cloud: 'gcp', region: 'us-east1' });
    expect(second.files).toEqual(first.files);
  });

  it('leaves no template syntax and no substitution marker in any path or file', async () => {
    for (const combo of coreMatrix()) {
      const plan = await planFor({ ...combo, region: answersWith(combo).region, dvc: true, gpu: true });
      for (const file of plan.files) {
        expect(file.path, file.path).not.toMatch(/__package__|\{\{|^_/);
        for (const residue of ['{{#', '{{/', '{{>', '{{!', '{{else', '\\{{', '[object Object]']) {
          expect(file.contents.includes(residue), `${residue} in ${file.path} for ${JSON.stringify(combo)}`).toBe(false);
        }
        expect(file.contents, file.path).not.toMatch(/\r/);
        if (file.contents.length > 0) expect(file.contents.endsWith('\n'), file.path).toBe(true);
      }
    }
  });

  it('uses every answer: changing any answer changes at least one file', async () => {
    const base = answersWith({ cloud: 'aws', serving: 'fastapi' });
    const basePlan = await planFor(base);
    const baseFiles = new Map(basePlan.files.filter((f) => f.path !== PROVENANCE_FILE).map((f) => [f.path, f.contents]));
    const alternatives: Partial<Answers>[] = [
      { name: 'other-name' }, { description: 'Another description' }, { author: 'Another Team' }, { python: '3.11' },
      { cloud: 'gcp' }, { region: 'eu-west-1' }, { ci: 'gitlab' }, { serving: 'kserve' }, { rollout: 'canary' },
      { monitoring: false }, { dvc: true }, { gpu: true },
    ];
    expect(alternatives.map((alt) => Object.keys(alt)[0]).sort()).toEqual(questions.map((q) => q.key).sort());
    for (const alternative of alternatives) {
      const plan = await planFor({ ...base, ...alternative });
      const changed = plan.files.some((f) => f.path !== PROVENANCE_FILE && baseFiles.get(f.path) !== f.contents)
        || plan.files.length !== basePlan.files.length;
      expect(changed, `answer ${JSON.stringify(alternative)} changes nothing`).toBe(true);
    }
  });

  it('records the answers and a SHA-256 of every other file in .mlforge.yml', async () => {
    const plan = await planFor({ cloud: 'local' });
    const provenance = plan.files.find((file) => file.path === PROVENANCE_FILE)!;
    const data = parseYaml(provenance.contents) as { version: string; answers: Answers; files: Record<string, string> };
    expect(data.version).toBe('0.0.0-test');
    expect(data.answers).toEqual(plan.answers);
    const others = plan.files.filter((file) => file.path !== PROVENANCE_FILE);
    expect(Object.keys(data.files).sort()).toEqual(others.map((file) => file.path).sort());
    for (const file of others) expect(data.files[file.path]).toBe(`sha256:${sha256(file.contents)}`);
  });
});
