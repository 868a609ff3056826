import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/plan/provenance.js';
import { assertBuilt, mlforge, snapshotTree, tempDir } from '../helpers/cli.js';

beforeAll(() => assertBuilt());

describe('mlforge new (built CLI, no terminal)', () => {
  it('generates a repository with --yes, commits it with git, and records provenance', async () => {
    const dir = join(await tempDir(), 'churn-model');
    const result = await mlforge(['new', dir, '--yes']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toContain('Next steps');
    const provenance = parseYaml(await readFile(join(dir, '.mlforge.yml'), 'utf8')) as {
      answers: Record<string, unknown>;
      files: Record<string, string>;
    };
    expect(provenance.answers.name).toBe('churn-model');
    for (const [path, hash] of Object.entries(provenance.files)) {
      expect(`sha256:${sha256(await readFile(join(dir, path), 'utf8'))}`, path).toBe(hash);
    }
    const log = await execa('git', ['log', '--format=%s'], { cwd: dir });
    expect(log.stdout).toMatch(/^Initial commit from mlforge \d+\.\d+\.\d+/);
    const status = await execa('git', ['status', '--porcelain'], { cwd: dir });
    expect(status.stdout).toBe('');
    const tracked = (await execa('git', ['ls-files'], { cwd: dir })).stdout.split('\n');
    expect(tracked).toContain('.mlforge.yml');
    expect(tracked.length).toBe(Object.keys(provenance.files).length + 1);
  });

  it('honours init.defaultBranch and skips git inside an existing repository', async () => {
    const home = await tempDir('mlforge-home-');
    await writeFile(join(home, '.gitconfig'), '[init]\n\tdefaultBranch = trunk\n[user]\n\tname = T\n\temail = t@example.com\n');
    const parent = await tempDir();
    const first = await mlforge(['new', join(parent, 'svc-a'), '--yes'], { env: { HOME: home, NO_COLOR: '1' } });
    expect(first.exitCode, String(first.stderr)).toBe(0);
    expect((await execa('git', ['branch', '--show-current'], { cwd: join(parent, 'svc-a') })).stdout).toBe('trunk');
    const inner = await mlforge(['new', join(parent, 'svc-a', 'nested-svc'), '--yes'], { env: { HOME: home, NO_COLOR: '1' } });
    expect(inner.exitCode).toBe(0);
    // Reported once, as a skip on stdout, not also as a warning.
    expect(`${inner.stdout}\n${inner.stderr}`.match(/inside an existing git repository/g)).toHaveLength(1);
    expect(inner.stdout).toContain('✔ git init skipped: the directory is inside an existing git repository');
    expect(existsSync(join(parent, 'svc-a', 'nested-svc', '.git'))).toBe(false);
  });

  it('reads answers from a config file, with flags taking precedence', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'answers.yml'), 'name: fraud-api\ncloud: gcp\nregion: europe-west1\nci: gitlab\npython: 3.11\n');
    const result = await mlforge(['new', join(dir, 'out'), '--config', join(dir, 'answers.yml'), '--ci', 'github', '--yes', '--no-git', '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const json = JSON.parse(String(result.stdout)) as { answers: Record<string, unknown>; files: string[]; git: { status: string } };
    expect(json.answers).toMatchObject({ name: 'fraud-api', cloud: 'gcp', region: 'europe-west1', ci: 'github', python: '3.11' });
    expect(json.git.status).toBe('skipped');
    expect(existsSync(join(dir, 'out', '.git'))).toBe(false);
    expect(json.files).toContain('src/fraud_api/__init__.py');
  });

  it('writes nothing with --dry-run and prints the planned tree', async () => {
    const dir = join(await tempDir(), 'dry');
    const result = await mlforge(['new', dir, '--yes', '--dry-run']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Dry run: would write');
    expect(result.stdout).toContain('pyproject.toml');
    expect(result.stdout).toContain('Nothing was written.');
    expect(existsSync(dir)).toBe(false);
  });

  it('exits 2 at once without a terminal when answers are missing, naming the flags', async () => {
    const dir = join(await tempDir(), 'svc');
    const result = await mlforge(['new', dir, '--name', 'svc-x'], { timeout: 20_000 });
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('No terminal to prompt on');
    expect(result.stderr).toContain('--cloud');
    expect(result.stderr).toContain('--yes');
    expect(existsSync(dir)).toBe(false);
  });

  it.each([
    [['--name', 'Bad_Name'], '--name "Bad_Name"'],
    [['--cloud', 'aws2'], 'did you mean "aws"'],
    [['--cloud', 'local', '--region', 'us-east-1'], 'does not apply when cloud is local'],
    [['--serving', 'kserve', '--rollout', 'canary'], 'canary rollouts need serving fastapi'],
    [['--python', '3.9'], 'must be one of 3.11, 3.12, 3.13'],
    [['--description', 'two\nlines'], 'control characters'],
    [['--clod', 'aws'], 'unknown option'],
  ])('rejects %j with exit 2 and writes nothing', async (args, message) => {
    const dir = join(await tempDir(), 'svc');
    const result = await mlforge(['new', dir, '--yes', ...args]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(message);
    expect(existsSync(dir)).toBe(false);
  });

  it('rejects an invalid config file with exit 2 naming the file and the key', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'bad.yml'), 'name: churn\nmonitorng: true\n');
    const result = await mlforge(['new', join(dir, 'out'), '--config', join(dir, 'bad.yml'), '--yes']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('bad.yml');
    expect(result.stderr).toContain('did you mean "monitoring"');
    const typed = join(dir, 'typed.yml');
    await writeFile(typed, 'gpu: "yes"\n');
    const wrongType = await mlforge(['new', join(dir, 'out'), '--config', typed, '--yes']);
    expect(wrongType.exitCode).toBe(2);
    expect(wrongType.stderr).toContain('Invalid "gpu" in');
    expect(wrongType.stderr).toContain('must be true or false');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('refuses a non-empty target with exit 3 and leaves it untouched', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'notes.txt'), 'mine\n');
    const before = await snapshotTree(dir);
    const result = await mlforge(['new', dir, '--yes', '--name', 'svc-x']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('is not empty');
    expect(result.stderr).toContain('--force');
    expect(await snapshotTree(dir)).toEqual(before);
  });

  it('with --force writes only planned files, deletes nothing and lists what it overwrote', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'notes.txt'), 'mine\n');
    await writeFile(join(dir, 'pyproject.toml'), '# my old pyproject\n');
    const result = await mlforge(['new', dir, '--yes', '--name', 'svc-x', '--force', '--no-git', '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const json = JSON.parse(String(result.stdout)) as { overwritten: string[] };
    expect(json.overwritten).toEqual(['pyproject.toml']);
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(await readFile(join(dir, 'pyproject.toml'), 'utf8')).toContain('name = "svc-x"');
    const human = await mlforge(['new', dir, '--yes', '--name', 'svc-x', '--force', '--no-git', '--description', 'changed']);
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toMatch(/overwritten pyproject\.toml/);
  });

  it('refuses a target that is a file with exit 3', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'svc'), 'a file\n');
    const result = await mlforge(['new', join(dir, 'svc'), '--yes']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('is not a directory');
  });

  it('writes byte-identical repositories for the same answers', async () => {
    const parent = await tempDir();
    const args = ['--yes', '--no-git', '--name', 'same-svc', '--cloud', 'azure', '--rollout', 'canary', '--dvc'];
    expect((await mlforge(['new', join(parent, 'a'), ...args])).exitCode).toBe(0);
    expect((await mlforge(['new', join(parent, 'b'), ...args])).exitCode).toBe(0);
    expect(await snapshotTree(join(parent, 'b'))).toEqual(await snapshotTree(join(parent, 'a')));
  });

  it('writes into an existing empty directory and keeps file modes', async () => {
    const dir = await tempDir();
    const target = join(dir, 'empty');
    await mkdir(target);
    expect((await mlforge(['new', target, '--yes', '--no-git', '--name', 'svc-x'])).exitCode).toBe(0);
    expect((await readdir(target)).length).toBeGreaterThan(3);
    expect((await stat(join(target, 'pyproject.toml'))).mode & 0o777).toBe(0o644);
  });

  it('leaves nothing behind when interrupted mid-write', async () => {
    const parent = await tempDir();
    const target = join(parent, 'interrupted');
    const child = mlforge(['new', target, '--yes', '--no-git'], { env: { NO_COLOR: '1', MLFORGE_TEST_WRITE_DELAY_MS: '200' } });
    await new Promise((done) => setTimeout(done, 1500));
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('Interrupted by SIGINT');
    expect(await readdir(parent)).toEqual([]);
  });
});

describe('mlforge schema, --help and --version', () => {
  it('prints a JSON Schema of the answers file', async () => {
    const result = await mlforge(['schema']);
    expect(result.exitCode).toBe(0);
    const schema = JSON.parse(String(result.stdout)) as { properties: Record<string, { description: string }> };
    expect(Object.keys(schema.properties)).toContain('cloud');
    expect(schema.properties.gpu!.description).toMatch(/GPU/);
  });

  it('documents every option with its choices and default', async () => {
    const result = await mlforge(['new', '--help']);
    expect(result.exitCode).toBe(0);
    for (const flag of ['--name', '--cloud', '--region', '--rollout', '--no-monitoring', '--dvc', '--gpu', '--config', '--yes', '--dry-run', '--force', '--no-git', '--json', '--quiet']) {
      expect(result.stdout).toContain(flag);
    }
    expect(result.stdout).toContain('choices: aws, gcp, azure, local; default: aws');
    expect(result.stdout).toContain('Examples:');
  });

  it('prints the version', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await mlforge(['--version']);
    expect(String(result.stdout).trim()).toBe(pkg.version);
    expect(result.exitCode).toBe(0);
  });
});
