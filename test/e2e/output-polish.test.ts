// What a newcomer sees around the main path: help on stdout with examples, a closed pipe that ends
// quietly, proper nouns kept in --no-* help, sentences that read right for the current directory,
// the dry-run example of the README without a terminal, and --json errors with a symbolic kind.

import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, binPath, mlforge, tempDir } from '../helpers/cli.js';

describe('output for people', () => {
  beforeAll(() => assertBuilt());

  it('prints help with examples on stdout and exits 0 for `mlforge` alone', async () => {
    const bare = await mlforge([]);
    expect(bare.exitCode).toBe(0);
    expect(bare.stderr).toBe('');
    expect(bare.stdout).toContain('Usage: mlforge');
    expect(bare.stdout).toContain('Examples:');
    expect(bare.stdout).toContain('$ mlforge new churn-model --yes');
  });

  it('ends quietly when the reader of a pipe goes away (`mlforge help new | head -5`)', async () => {
    const piped = await execa('sh', ['-c', `node ${binPath} help new | head -5`], { reject: false, env: { NO_COLOR: '1' } });
    expect(piped.exitCode).toBe(0);
    expect(piped.stdout.split('\n')).toHaveLength(5);
    expect(piped.stderr).not.toMatch(/EPIPE|Error|at /);
  });

  it('keeps proper nouns in the --no-* help', async () => {
    const help = String((await mlforge(['new', '--help'])).stdout).replace(/\s+/g, ' ');
    expect(help).toContain('Turn off: Prometheus ServiceMonitor');
    expect(help).toContain('Turn off: CUDA runtime image');
  });

  it('says "the current directory" instead of "." and leaves out "cd ."', async () => {
    const dir = join(await tempDir(), 'here-svc');
    await mkdir(dir);
    const result = await mlforge(['new', '.', '--yes', '--no-git'], { cwd: dir });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    // The count follows the templates; the words are what this test is about.
    expect(result.stderr).toMatch(/Writing \d+ files to the current directory \.\.\./);
    expect(result.stdout).toMatch(/Wrote \d+ files to the current directory/);
    expect(result.stdout).not.toMatch(/cd \.\n|\.\.\.\./);
  });

  it('runs the README’s `--config answers.yml --dry-run` example without a terminal, taking defaults', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'answers.yml'), 'name: fraud-api\ncloud: gcp\n');
    const result = await mlforge(['new', 'svc', '--config', 'answers.yml', '--dry-run'], { cwd: dir });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toContain('Dry run: would write');
    expect(result.stdout).toContain('fraud-api: cloud gcp (us-central1)');
    expect((await readdir(dir)).sort()).toEqual(['answers.yml']);
  });

  it.each([
    [['new', 'json', '--yes', '--json'], 2, 'invalid-answer', /name must not be a Python keyword/],
    [['new', 'no-terminal-svc', '--json'], 2, 'missing-answers', /No terminal to prompt on/],
    [['new', 'x-svc', '--bogus', '--json'], 2, 'usage', /unknown option/],
    [['new', 'taken', '--yes', '--json'], 3, 'target-conflict', /is not empty/],
  ] as Array<[string[], number, string, RegExp]>)('`mlforge %j` reports exit %i with kind %s', async (args, code, kind, message) => {
    const dir = await tempDir();
    await mkdir(join(dir, 'taken'));
    await writeFile(join(dir, 'taken', 'keep.txt'), 'x');
    const result = await mlforge(args, { cwd: dir });
    expect(result.exitCode).toBe(code);
    const json = JSON.parse(String(result.stdout)) as { ok: boolean; error: { code: number; kind: string; message: string } };
    expect(json).toMatchObject({ ok: false, error: { code, kind } });
    expect(json.error.message).toMatch(message);
  });
});
