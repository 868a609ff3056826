// Random valid answer sets always plan, every file parses with its real
// parser, CI files never depend on free text, and (on a few draws, since each
// runs every validator) the written repository passes `mlforge doctor`.

import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import { runDoctor } from '../../src/doctor/run-doctor.js';
import { planProject } from '../../src/plan/plan-project.js';
import type { TemplateSet } from '../../src/render/template-set.js';
import { writePlan } from '../../src/write/write-plan.js';
import { templates } from '../helpers/generate.js';
import { isCiFile, parseFiles } from '../hostile/parse-files.js';
import { findPython, skipNote } from '../hostile/tools.js';
import { seed, validAnswers } from './arbitraries.js';

const python = findPython();
skipNote('python3', python !== undefined); // only the .py files go unchecked
const parseRuns = Number(process.env.MLFORGE_PROPERTY_RUNS ?? 20);
const doctorRuns = Number(process.env.MLFORGE_PROPERTY_DOCTOR_RUNS ?? 3);
let templateSet: TemplateSet;

beforeAll(async () => {
  templateSet = await templates();
  console.log(`fast-check seed ${seed} (set FC_SEED to replay another)`);
});

describe('random valid answers', () => {
  it(`plan, and every file parses (${parseRuns} draws)`, async () => {
    await fc.assert(
      fc.asyncProperty(validAnswers, async (answers) => {
        const plan = planProject(answers, templateSet, '0.0.0-property');
        const parsed = await parseFiles(plan.files, python);
        expect(parsed.filter((file) => file.error).map((file) => `${file.path}: ${file.error}`)).toEqual([]);
        const plain = planProject({ ...answers, description: 'plain', author: 'plain' }, templateSet, '0.0.0-property');
        const ciFiles = (files: typeof plan.files) => files.filter((file) => isCiFile(file.path));
        expect(ciFiles(plan.files), 'CI files do not depend on free text').toEqual(ciFiles(plain.files));
      }),
      { seed, numRuns: parseRuns },
    );
  });

  it(`write a repository that doctor passes (${doctorRuns} draws)`, { timeout: 900_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(validAnswers, async (answers) => {
        const root = await mkdtemp(join(tmpdir(), 'mlforge-property-'));
        try {
          const dir = join(root, answers.name);
          await writePlan(planProject(answers, templateSet, '0.0.0-property'), dir, { force: false });
          const results = await runDoctor(await loadRepoView(dir), { concurrency: 2 });
          const failed = results.filter((result) => result.status === 'failed');
          expect(failed.map((result) => ({ id: result.id, reason: result.reason, findings: result.findings.slice(0, 5) }))).toEqual([]);
        } finally {
          await rm(root, { recursive: true, force: true });
        }
      }),
      { seed, numRuns: doctorRuns, endOnFailure: true },
    );
  });
});
