// Every rejected hostile value stops the built CLI with exit 2 before anything
// is written, with a message that names the field, shows the value inertly
// (no raw control or bidi characters reach the terminal) and states the rule.

import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, mlforge, snapshotTree, tempDir } from '../helpers/cli.js';
import { rejected, rejectedNames, type Field } from './corpus.js';

beforeAll(() => assertBuilt());

/** Characters that must never be printed raw: they move the cursor, reorder or hide text. */
const unsafeForTerminal = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
const unsafeExceptNewline = /[^\P{Cc}\n]|[\p{Cf}\u2028\u2029]/u;

/** The value as the message should show it: JSON with every invisible or control character as \uXXXX. */
function shown(value: string): string {
  return JSON.stringify(value).replace(unsafeForTerminal, (char) => `\\u${char.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

async function expectRejected(args: string[], cwd: string, label: string, rule: string, value: string) {
  const result = await mlforge(args, { cwd });
  const stderr = String(result.stderr);
  expect(result.exitCode, stderr).toBe(2);
  expect(stderr).toContain(label);
  expect(stderr).toContain(rule);
  expect(stderr, 'the message shows the value').toContain(shown(value).slice(0, 60));
  expect(stderr, 'no raw control, bidi or zero-width character is printed').not.toMatch(unsafeExceptNewline);
  expect(existsSync(join(cwd, 'svc')), 'the target was not created').toBe(false);
  expect(await snapshotTree(cwd), 'nothing was written next to it either').toEqual({});
}

const cases = rejected.flatMap((entry) =>
  (entry.fields ?? (['description', 'author'] as Field[])).map((field) => ({ ...entry, field, name: `${entry.label} as ${field}` })),
);

describe.concurrent('rejected free text', () => {
  it.each(cases.filter((entry) => !entry.configOnly))('--$field: $label', async ({ field, value, rule }) => {
    const cwd = await tempDir('mlforge-hostile-');
    await expectRejected(['new', 'svc', '--yes', '--no-git', `--${field}`, value], cwd, `--${field}`, rule, value);
  });

  // Config files go through the same rule as flags: once per value is enough (on its first field).
  const configCases = cases.filter((entry) => entry.field === (entry.fields?.[0] ?? 'description'));
  it.each(configCases)('config file $field: $label', async ({ field, value, rule }) => {
    const cwd = await tempDir('mlforge-hostile-');
    const config = join(await tempDir('mlforge-config-'), 'answers.json');
    await writeFile(config, JSON.stringify({ [field]: value }));
    await expectRejected(['new', 'svc', '--yes', '--no-git', '--config', config], cwd, `"${field}" in ${config}`, rule, value);
  });
});

describe.concurrent('rejected project names', () => {
  it.each(rejectedNames)('--name $value', async ({ value, rule }) => {
    const cwd = await tempDir('mlforge-hostile-');
    await expectRejected(['new', 'svc', '--yes', '--no-git', '--name', value], cwd, '--name', rule, value);
  });
});
