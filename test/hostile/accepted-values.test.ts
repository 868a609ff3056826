// Every accepted hostile value, used as description and author, leaves every
// generated file parseable by its real parser, appears verbatim (after the
// format's own unescaping) in each file that uses it, and never reaches CI files.

import { beforeAll, describe, expect, it } from 'vitest';
import { markdownText } from '../../src/escape/formats.js';
import { parse as parseYaml } from 'yaml';
import type { Plan } from '../../src/plan/plan-project.js';
import type { Answers } from '../../src/questions/table.js';
import { planFor } from '../helpers/generate.js';
import { accepted, fieldsFor } from './corpus.js';
import { isCiFile, parseFiles, type ParsedFile } from './parse-files.js';
import { findPython, skipNote } from './tools.js';

// Together these cover every cloud, both CIs, both servings and canary.
const combinations: Array<Partial<Answers>> = [
  { cloud: 'aws', ci: 'github', serving: 'fastapi', rollout: 'rolling', monitoring: true, dvc: false, gpu: false },
  { cloud: 'gcp', ci: 'gitlab', serving: 'kserve', monitoring: false, dvc: true, gpu: true, region: 'europe-west1' },
  { cloud: 'azure', ci: 'github', serving: 'fastapi', rollout: 'canary', monitoring: true, dvc: true, gpu: false },
  { cloud: 'local', ci: 'gitlab', serving: 'fastapi', rollout: 'canary', monitoring: true, dvc: false, gpu: true },
];
const baseline = { description: 'Baseline description qzx', author: 'Baseline author qzx' };

const python = findPython();
// Without Python the .py files are left out (and said so); every other format is still checked.
skipNote('python3', python !== undefined); // only the .py files go unchecked
const baselines: Plan[] = [];

beforeAll(async () => {
  for (const combination of combinations) baselines.push(await planFor({ ...combination, ...baseline }));
});

describe('baseline repositories', () => {
  it('parse file by file with real parsers', async () => {
    for (const plan of baselines) {
      const parsed = await parseFiles(plan.files, python);
      expect(parsed.filter((file) => file.error).map((file) => `${file.path}: ${file.error}`)).toEqual([]);
    }
  });
});

describe.each(accepted)('accepted value: $label', ({ value }) => {
  it('renders inert and verbatim in every combination', async () => {
    const fields = fieldsFor(value);
    for (const [index, combination] of combinations.entries()) {
      const overrides = { ...baseline, ...Object.fromEntries(fields.map((field) => [field, value])) };
      const plan = await planFor({ ...combination, ...overrides });
      const before = new Map(baselines[index]!.files.map((file) => [file.path, file.contents]));
      expect(plan.files.map((file) => file.path)).toEqual([...before.keys()]);
      const changed = plan.files.filter((file) => before.get(file.path) !== file.contents);
      // Free text never reaches CI files: they are byte-identical to the baseline's.
      expect(changed.filter((file) => isCiFile(file.path)).map((file) => file.path)).toEqual([]);
      const parsed = await parseFiles(changed, python);
      expect(parsed.filter((file) => file.error).map((file) => `${file.path}: ${file.error}`)).toEqual([]);
      for (const file of parsed.filter((candidate) => !candidate.skipped)) expectVerbatim(file, value, changed.find((candidate) => candidate.path === file.path)!.contents);
      expectProvenance(plan, fields, value);
    }
  });
});

/** The value is held as literal text; only formats with a real decoder may use free text at all. */
function expectVerbatim(file: ParsedFile, value: string, contents: string): void {
  expect(file.strings, `${file.path} uses free text but is a ${file.format} file the test cannot decode`).toBeDefined();
  if (file.format === 'markdown') {
    expect(contents, `${file.path} must hold the Markdown-escaped text`).toContain(markdownText(value));
  }
  // HCL normalises string literals to Unicode NFC; every other format keeps the exact code points.
  const expected = file.format === 'hcl' ? value.normalize('NFC') : value;
  expect(file.strings!.some((text) => text.includes(expected)), `${file.path} does not hold ${JSON.stringify(value)} verbatim`).toBe(true);
}

function expectProvenance(plan: Plan, fields: string[], value: string): void {
  const provenance = plan.files.find((file) => file.path === '.mlforge.yml')!;
  const answers = (parseYaml(provenance.contents) as { answers: Record<string, unknown> }).answers;
  for (const field of fields) expect(answers[field]).toBe(value);
}
