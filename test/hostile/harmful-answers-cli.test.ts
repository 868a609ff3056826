// Legal-looking but harmful answers through the built CLI, from flags and
// config files: exit 2, the field, the escaped value and the rule named,
// nothing written, no stack trace.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, mlforge, snapshotTree, tempDir } from '../helpers/cli.js';

beforeAll(() => assertBuilt());

const flagCases: Array<[string, string[], RegExp]> = [
  ['a Kubernetes system namespace', ['--name', 'kube-system'], /Invalid --name "kube-system": name must not be a Kubernetes system namespace/],
  ['the default namespace', ['--name', 'default'], /Kubernetes system namespace/],
  ['a GCS-reserved name', ['--name', 'google-churn'], /Google Cloud Storage refuses/],
  ['an S3-reserved prefix', ['--name', 'sthree-churn'], /Amazon S3 reserves/],
  ['an Azure-reserved word', ['--name', 'churn-azure'], /Azure reserves/],
  ['a zero-width space in the description', ['--name', 'ok-svc', '--description', 'a\u200Bb'], /Invalid --description "a\\u200bb": .*found U\+200B at character 2/],
  ['a tag character in the author', ['--name', 'ok-svc', '--author', 'Eve\u{E0041}'], /Invalid --author .*found U\+E0041/],
  ['a soft hyphen', ['--name', 'ok-svc', '--description', 'in\u00ADvisible'], /found U\+00AD at character 3/],
];

describe('harmful answers from flags', () => {
  it.each(flagCases)('%s: exit 2, named, nothing written', async (_what, args, message) => {
    const parent = await tempDir('mlforge-harm-');
    const result = await mlforge(['new', join(parent, 'x-svc'), '--yes', '--no-git', ...args]);
    expect(result.exitCode, String(result.stderr)).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/[\u200B\u00AD]|\u{E0041}|internal error|\n\s+at /u);
    expect(await snapshotTree(parent)).toEqual({});
  });
});

const configCases: Array<[string, string, string, RegExp]> = [
  ['a rounded version number', 'answers.yml', 'name: cfg-svc\npython: 3.10\n', /"python" is the number "3.10", which reads back as 3.1; write it as a string/],
  ['a duplicate JSON key', 'answers.json', '{"name": "cfg-svc", "name": "other-svc"}', /not valid JSON: Map keys must be unique/],
  ['a custom YAML tag', 'answers.yml', 'name: !shell cfg-svc\n', /Unresolved tag: !shell/],
  ['a !!binary value', 'answers.yml', 'name: !!binary Y2ZnLXN2Yw==\n', /the tag "tag:yaml.org,2002:binary" is not allowed/],
  ['an unknown top-level key in a .mlforge.yml', '.mlforge.yml', 'mlforge: 0.1.0\nschema: 1\nanswers:\n  name: cfg-svc\nfiles: {}\nhooks: {post: "rm -rf /"}\n', /unknown top-level key "hooks" for .mlforge.yml schema 1/],
  ['a reserved name in a config', 'answers.yml', 'name: kube-public\n', /Invalid "name" in .*answers.yml "kube-public": name must not be a Kubernetes system namespace/],
];

describe('harmful config files', () => {
  it.each(configCases)('%s: exit 2, named, nothing written', async (_what, file, text, message) => {
    const dir = await tempDir('mlforge-harm-cfg-');
    await writeFile(join(dir, file), text);
    const parent = await tempDir('mlforge-harm-');
    const result = await mlforge(['new', join(parent, 'cfg-svc'), '--yes', '--no-git', '--config', join(dir, file)]);
    expect(result.exitCode, String(result.stderr)).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(await snapshotTree(parent)).toEqual({});
  });

  it('a BOM-prefixed YAML and JSON config are accepted', async () => {
    for (const [file, text] of [['a.yml', '\uFEFFname: bom-svc\n'], ['a.json', '\uFEFF{"name": "bom-svc"}']] as const) {
      const dir = await tempDir('mlforge-harm-cfg-');
      await writeFile(join(dir, file), text);
      const result = await mlforge(['new', join(dir, 'out'), '--yes', '--no-git', '--dry-run', '--json', '--config', join(dir, file)]);
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(JSON.parse(String(result.stdout)).answers.name).toBe('bom-svc');
    }
  });
});
