// The generated repository's own Python checks, with real tools and real
// dependencies: its own `make install` (uv sync --locked: exactly its
// committed uv.lock, MLflow included, from the package index) and `make check`
// (ruff, mypy, its whole pytest suite with no test skipped) for Python 3.11,
// 3.12 and 3.13; then training through the Makefile and the API over real HTTP
// on a loopback port. Only a missing tool (uv, make, a Python) skips, saying why.

import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import { ruffCheck } from '../../src/doctor/validators/ruff.js';
import { toPythonPackageName } from '../../src/naming.js';
import type { Answers } from '../../src/questions/table.js';
import { generateRepo } from '../helpers/generate.js';
import { makeInstall, type PythonEnv, type PythonEnvResult } from '../helpers/python-env.js';
import { startService, type RunningService } from './service-process.js';

const combos: Array<Partial<Answers>> = [
  {
    name: 'fraud-scorer',
    python: '3.11',
    cloud: 'local',
    ci: 'gitlab',
    monitoring: true,
    dvc: true,
    description: `Scores "fraud" # not a comment \${{ github.token }} back\\slash 'q' ünïcødé`,
    author: `O'Brien & Zoë <zb@example.com>`,
  },
  { name: 'churn-model', python: '3.12', cloud: 'aws', serving: 'kserve', gpu: true, monitoring: false },
  { name: 'a-very-long-service-name-for-line-widths', python: '3.13', cloud: 'azure', rollout: 'canary', dvc: true },
];

function skipWith(ctx: TestContext, reason: string): void {
  console.log(`skipped: ${reason}`);
  ctx.skip(reason);
}

describe.each(combos)('generated repository $name (python $python)', (overrides) => {
  const version = overrides.python!;
  const packageName = toPythonPackageName(overrides.name!);
  let dir: string;
  let own: PythonEnvResult;
  let project: PythonEnv | undefined;

  beforeAll(async () => {
    ({ dir } = await generateRepo(overrides));
    own = await makeInstall(dir, version);
    if (own.ok) {
      project = own.env;
      console.log(`make install (${overrides.name}, Python ${version}): ${own.seconds.toFixed(1)} s`);
    }
  }, 1_500_000);

  test(`make check passes on Python ${version} with every test run, none skipped`, { timeout: 1_800_000 }, async (ctx) => {
    if (!own.ok || !project) return skipWith(ctx, own.ok ? 'project environment not available' : own.reason);
    const started = performance.now();
    const result = await execa('make', ['check'], { cwd: dir, reject: false, all: true, env: { ...project.makeEnv, GIT_SHA: 'test', MLFLOW_TRACKING_URI: '' } });
    const output = String(result.all);
    expect(result.exitCode, output.slice(-4000)).toBe(0);
    console.log(`make check (${overrides.name}, Python ${version}): ${((performance.now() - started) / 1000).toFixed(1)} s`);
    expect(output).toMatch(/All checks passed!/);
    expect(output).toMatch(/^Success: no issues found/m);
    const summary = /=+ (.* in [\d.]+s.*) =+/.exec(output)?.[1] ?? '';
    expect(summary).toMatch(/\d+ passed/);
    expect(summary).not.toMatch(/skipped|xfail|deselected|error/);
    expect(output).toMatch(/test_tracking_mlflow\.py/);
    const installed = await execa(project.python, ['-c', 'import mlflow, importlib.metadata as m; print(m.version("mlflow"))']);
    const locked = /\[\[package\]\]\nname = "mlflow"\nversion = "([^"]+)"/.exec(await readFile(join(dir, 'uv.lock'), 'utf8'))?.[1];
    expect(String(installed.stdout).trim()).toBe(locked);
  });

  test('the package metadata carries the description and version intact', async (ctx) => {
    if (!own.ok || !project) return skipWith(ctx, own.ok ? 'project environment not available' : own.reason);
    const script = `import json, ${packageName} as p; print(json.dumps([p.DESCRIPTION, p.__version__]))`;
    const [description, packageVersion] = JSON.parse(String((await execa(project.python, ['-c', script], { cwd: dir })).stdout)) as string[];
    expect(description).toBe(overrides.description ?? 'A machine-learning model service.');
    expect(packageVersion).toBe('0.1.0');
  });

  test('doctor ruff check passes (ruff from PATH)', async (ctx) => {
    if (!own.ok || !project) return skipWith(ctx, own.ok ? 'project environment not available' : own.reason);
    const result = await ruffCheck.run(await loadRepoView(dir));
    // doctor takes ruff from PATH only, never from the repository's .venv (.ci/run puts one on PATH).
    if (result.status === 'skipped') return skipWith(ctx, result.reason ?? 'ruff not available');
    expect(result.findings).toEqual([]);
    expect(result.status).toBe('passed');
  });

  describe('trained through the Makefile and served over HTTP', () => {
    let service: RunningService | undefined;

    test('make train, evaluate and promote with tracking off', { timeout: 900_000 }, async (ctx) => {
      if (!own.ok || !project) return skipWith(ctx, own.ok ? 'project environment not available' : own.reason);
      for (const target of ['train', 'evaluate', 'promote']) {
        const result = await execa('make', [target], { cwd: dir, reject: false, env: { ...project.makeEnv, MLFLOW_TRACKING_URI: '' } });
        expect(result.exitCode, `make ${target}: ${result.stderr}`).toBe(0);
      }
      const aliases = JSON.parse(await readFile(join(dir, 'artifacts', 'registry', overrides.name!, 'aliases.json'), 'utf8')) as Record<string, string>;
      expect(aliases).toMatchObject({ challenger: '1', champion: '1' });
    });

    test('uvicorn serves /health, /ready, /predict and /metrics on loopback, then stops on SIGTERM', async (ctx) => {
      if (!own.ok || !project) return skipWith(ctx, own.ok ? 'project environment not available' : own.reason);
      if (!(await readFile(join(dir, 'artifacts', 'registry', overrides.name!, 'aliases.json'), 'utf8').catch(() => ''))) {
        return skipWith(ctx, 'no trained model (the make targets did not run)');
      }
      service = await startService(project.python, dir, `${packageName}.serving.app:app`);
      try {
        const base = service.url;
        expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' });
        const ready = await fetch(`${base}/ready`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toMatchObject({ status: 'ready', model_version: '1' });

        const example = JSON.parse(String((await execa(project.python, ['-c', `import json; from ${packageName}.features import EXAMPLE_ROW; print(json.dumps(EXAMPLE_ROW))`])).stdout)) as Record<string, number>;
        const post = (body: unknown, headers: Record<string, string> = {}) =>
          fetch(`${base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

        const valid = await post({ rows: [example, example] }, { 'x-request-id': 'it-42' });
        expect(valid.status).toBe(200);
        expect(valid.headers.get('x-request-id')).toBe('it-42');
        const body = (await valid.json()) as { predictions: Array<{ probability: number }>; model_version: string };
        expect(body.predictions).toHaveLength(2);
        expect(body.model_version).toBe('1');

        const invalid = await post({ rows: [{ ...example, mean_radius: 'large' }] });
        expect(invalid.status).toBe(422);
        const invalidBody = (await invalid.json()) as { detail: Array<{ loc: unknown[] }> };
        expect(invalidBody.detail.map((error) => error.loc)).toContainEqual(['body', 'rows', 0, 'mean_radius']);

        const malformed = await post('{"rows": [{"mean_radius": NaN}]}');
        expect(malformed.status).toBe(422);

        const tooMany = await post({ rows: Array.from({ length: 101 }, () => example) });
        expect(tooMany.status).toBe(422);
        expect(((await tooMany.json()) as { detail: Array<{ loc: unknown[] }> }).detail[0]!.loc).toEqual(['body', 'rows']);

        const metrics = await (await fetch(`${base}/metrics`)).text();
        expect(metrics).toContain('http_requests_total{method="POST",route="/predict",status="200"} 1.0');
        expect(metrics).toContain('http_requests_total{method="POST",route="/predict",status="422"} 3.0');
        expect(metrics).toMatch(/http_request_duration_seconds_bucket\{le="[\d.]+",method="GET",route="\/health"\}/);
        expect(metrics).toContain('model_predictions_total{label=');
        expect(metrics).toContain('model_prediction_value_count 2.0');
        expect(metrics).toMatch(/model_info\{model_alias="champion",model_name="[^"]+",model_version="1"\} 1\.0/);
        expect(metrics).not.toMatch(/status="5\d\d"/);
      } finally {
        const stopped = await service.stop();
        expect(stopped.clean, stopped.logs).toBe(true);
        expect(stopped.logs).toContain('shutting down');
        const lines = stopped.logs.split('\n').filter((line) => line.startsWith('{'));
        expect(lines.length).toBeGreaterThan(0);
        const access = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((record) => record.request_id === 'it-42');
        expect(access, 'an access log line with the request id').toMatchObject({ route: '/predict', status: 200 });
      }
    });
  });
});
