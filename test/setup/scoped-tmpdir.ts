/**
 * Each test file gets a temporary directory of its own, removed when the file ends.
 *
 * Generated repositories with their virtual environments, PostgreSQL data
 * directories and MLflow artifact stores are created under os.tmpdir(); helpers
 * and child processes (pytest, MLflow, uv) all read TMPDIR. Scoping TMPDIR per
 * file bounds a full run's disk use by the largest file, not the sum of all of
 * them. Set MLFORGE_KEEP_TMP=1 to keep the directory for a look afterwards.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const outer = process.env.TMPDIR;
const scoped = mkdtempSync(join(tmpdir(), 'mlforge-file-'));
// Like /tmp: PostgreSQL runs as its own user and must reach its data directory below.
chmodSync(scoped, 0o1777);
process.env.TMPDIR = scoped;

// Registered first, so it runs after every afterAll of the file (hooks run as a stack).
afterAll(() => {
  if (outer === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = outer;
  if (process.env.MLFORGE_KEEP_TMP === '1') {
    console.log(`kept ${scoped} (MLFORGE_KEEP_TMP=1)`);
    return;
  }
  rmSync(scoped, { recursive: true, force: true, maxRetries: 3 });
});
