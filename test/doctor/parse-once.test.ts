// doctor parses each file once per run: checks that read the same Terraform
// file share one hcl2json result (a parse error too), and the Terraform model
// is built once; another RepoView parses again.

import { describe, expect, test } from 'vitest';
import { parsedHcl, readTerraform } from '../../src/doctor/parse/terraform.js';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import { generateRepo } from '../helpers/generate.js';

describe('Terraform is parsed once per repository view', () => {
  test('the same file asked for twice is parsed once, its error shared; another view parses again', async () => {
    const { dir } = await generateRepo({ name: 'parse-once', cloud: 'gcp' });
    const repo = await loadRepoView(dir);
    const calls: string[] = [];
    const parse = async (file: string) => {
      calls.push(file);
      if (file.endsWith('main.tf')) throw new Error('planted parse error');
      return { file };
    };
    const first = await Promise.all([parsedHcl(repo, 'infra/terraform/main.tf', parse), parsedHcl(repo, 'infra/terraform/main.tf', parse)]);
    const again = await parsedHcl(repo, 'infra/terraform/main.tf', parse);
    expect(calls).toEqual(['infra/terraform/main.tf']);
    expect(first.map((result) => result.ok)).toEqual([false, false]);
    expect(again).toBe(first[0]);
    expect(String((again as { error: Error }).error.message)).toBe('planted parse error');
    await parsedHcl(await loadRepoView(dir), 'infra/terraform/main.tf', parse);
    expect(calls).toHaveLength(2);
  });

  test('the Terraform model is built once and read by every rule', async () => {
    const { dir } = await generateRepo({ name: 'parse-model', cloud: 'aws' });
    const repo = await loadRepoView(dir);
    const [a, b] = await Promise.all([readTerraform(repo), readTerraform(repo)]);
    expect(a).toBe(b);
    expect(a.errors).toEqual([]);
    expect([...a.directories.keys()]).toContain('infra/terraform');
    expect(await readTerraform(await loadRepoView(dir))).not.toBe(a);
  });
});
