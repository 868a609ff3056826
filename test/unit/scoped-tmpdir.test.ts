import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';

// test/setup/scoped-tmpdir.ts: what every suite writes to os.tmpdir() is removed when its file ends.
describe('the temporary directory of a test file', () => {
  it('is a directory of its own, which child processes inherit through TMPDIR', () => {
    expect(basename(tmpdir())).toMatch(/^mlforge-file-/);
    expect(process.env.TMPDIR).toBe(tmpdir());
  });

  it('is world-writable and sticky like /tmp, so PostgreSQL (its own user) can reach below it', () => {
    expect(statSync(tmpdir()).mode & 0o7777).toBe(0o1777);
  });
});
