// Random invalid answers (exactly one rule broken, given as a flag or in a
// --config file) always stop the built CLI with exit 2 before anything is
// written, and the message names the field.

import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, mlforge, snapshotTree, tempDir } from '../helpers/cli.js';
import { brokenAnswer, seed, type BrokenAnswer } from './arbitraries.js';

const runs = Number(process.env.MLFORGE_PROPERTY_INVALID_RUNS ?? 30);

beforeAll(() => {
  assertBuilt();
  console.log(`fast-check seed ${seed} (set FC_SEED to replay another)`);
});

/** Flags carry strings (not NUL); booleans and other types need a --config file. */
const flagCanCarry = (broken: BrokenAnswer) => typeof broken.value === 'string' && !broken.value.includes('\u0000');

describe('random invalid answers', () => {
  it(`exit 2 with nothing written (${runs} draws)`, { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(brokenAnswer, fc.boolean(), async (broken, viaConfig) => {
        const cwd = await tempDir('mlforge-invalid-');
        const useConfig = viaConfig || !flagCanCarry(broken);
        const args = ['new', 'svc', '--yes', '--no-git'];
        if (useConfig) {
          const config = join(await tempDir('mlforge-invalid-config-'), 'answers.json');
          await writeFile(config, JSON.stringify({ ...broken.context, [broken.key]: broken.value }));
          args.push('--config', config);
        } else {
          for (const [key, value] of Object.entries({ ...broken.context, [broken.key]: broken.value })) args.push(`--${key}=${String(value)}`);
        }
        const result = await mlforge(args, { cwd });
        expect(result.exitCode, String(result.stderr)).toBe(2);
        expect(result.stderr).toContain(useConfig ? `"${broken.key}" in ` : `--${broken.key}`);
        expect(existsSync(join(cwd, 'svc'))).toBe(false);
        expect(await snapshotTree(cwd)).toEqual({});
      }),
      { seed, numRuns: runs },
    );
  });
});
