// The generated repository's own Python checks, with real tools: its test
// suite, ruff check, ruff format --check and mypy, for Python 3.11, 3.12 and
// 3.13; then, where its packages can be installed, training through the
// Makefile and the API over real HTTP on a loopback port.
//
// Packages come from the local wheel mirror (test/helpers/python-env.ts);
// mlflow is not installable here, so only the repository's MLflow tests skip,
// and they print why. A Python whose packages cannot be installed prints
// "skipped: <what> not available" and skips what needs it; lint and type checks
// of its code still run with the tools of any installable environment, since
// ruff and mypy check against the target version in pyproject.toml.

import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import { ruffCheck } from '../../src/doctor/validators/ruff.js';
import { toPythonPackageName } from '../../src/naming.js';
import type { Answers } from '../../src/questions/table.js';
import { generateRepo } from '../helpers/generate.js';
import { ensurePythonEnv, findPython, installableRequirements, projectEnv, type PythonEnv, type PythonEnvResult } from '../helpers/python-env.js';
import { startService, type RunningService } from './service-process.js';

const combos: Array<Partial<Answers>> = [
  {
    name: 'fraud-scorer',
    python: '3.11',
    cloud: 'local',
    monitoring: true,
    dvc: true,
    description: `Scores "fraud" # not a comment \${{ github.token }} back\\slash 'q' ünïcødé`,
    author: `O'Brien & Zoë <zb@example.com>`,
  },
  { name: 'churn-model', python: '3.12', cloud: 'aws', serving: 'kserve', gpu: true, monitoring: false },
  { name: 'a-very-long-service-name-for-line-widths', python: '3.13', cloud: 'gcp', rollout: 'canary', dvc: true },
];

/** Environment with the linters and type checker, from the first Python whose packages install. */
let toolsEnv: Promise<PythonEnvResult> | undefined;
async function anyToolsEnv(requirements: string[]): Promise<PythonEnvResult> {
  toolsEnv ??= (async () => {
    const reasons: string[] = [];
    for (const version of ['3.11', '3.12', '3.13']) {
      const result = await ensurePythonEnv(version, requirements);
      if (result.ok) return result;
      reasons.push(result.reason);
    }
    return { ok: false, reason: reasons.join('; ') };
  })();
  return toolsEnv;
}

function skipWith(ctx: TestContext, reason: string): void {
  console.log(`skipped: ${reason}`);
  ctx.skip(reason);
}

describe.each(combos)('generated repository $name (python $python)', (overrides) => {
  const version = overrides.python!;
  const packageName = toPythonPackageName(overrides.name!);
  let dir: string;
  let own: PythonEnvResult;
  let tools: PythonEnvResult;
  let project: PythonEnv | undefined;

  beforeAll(async () => {
    ({ dir } = await generateRepo(overrides));
    const requirements = installableRequirements(await readFile(join(dir, 'pyproject.toml'), 'utf8'));
    own = await ensurePythonEnv(version, requirements);
    tools = own.ok ? own : await anyToolsEnv(requirements);
    if (own.ok) project = await projectEnv(own.env, dir);
  });

  test(`compiles with the real Python ${version}`, async (ctx) => {
    const python = await findPython(version);
    if (!python) return skipWith(ctx, `Python ${version} not available`);
    const compiled = await execa(python, ['-m', 'compileall', '-q', '-f', 'src', 'tests'], { cwd: dir, reject: false, env: { PYTHONPYCACHEPREFIX: join(dir, '.pycache-check') } });
    expect(compiled.exitCode, String(compiled.stdout)).toBe(0);
  });

  test('ruff check, ruff format --check and mypy pass', async (ctx) => {
    if (!tools.ok) return skipWith(ctx, `ruff and mypy not available: ${tools.reason}`);
    const run = (...args: string[]) => execa(tools.ok ? tools.env.python : '', ['-m', ...args], { cwd: dir, reject: false, env: { RUFF_NO_CACHE: 'true' } });
    const lint = await run('ruff', 'check', '--no-cache', '.');
    expect(lint.exitCode, String(lint.stdout)).toBe(0);
    const format = await run('ruff', 'format', '--check', '--no-cache', '.');
    expect(format.exitCode, String(format.stdout)).toBe(0);
    const types = await run('mypy', '--cache-dir', join(dir, '.mypy_cache'));
    expect(types.exitCode, String(types.stdout)).toBe(0);
    expect(String(types.stdout)).toMatch(/^Success: no issues found/m);
  });

  test(`its own test suite passes on Python ${version}; only MLflow tests skip, saying why`, async (ctx) => {
    if (!own.ok || !project) return skipWith(ctx, own.ok ? 'project environment not available' : own.reason);
    const result = await execa(project.python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-rs'], { cwd: dir, reject: false, env: { MLFLOW_TRACKING_URI: '' } });
    const output = String(result.stdout);
    expect(result.exitCode, output).toBe(0);
    expect(output).toMatch(/\d+ passed/);
    const skips = output.split('\n').filter((line) => line.startsWith('SKIPPED'));
    for (const line of skips) expect(line).toMatch(/test_tracking_mlflow\.py.*mlflow is not installed/);
    for (const line of skips) console.log(`generated suite (${overrides.name}): ${line}`);
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

    test('make train, evaluate and promote with tracking off', async (ctx) => {
      if (!own.ok || !project) return skipWith(ctx, own.ok ? 'project environment not available' : own.reason);
      const make = await execa('make', ['--version'], { reject: false }).catch(() => undefined);
      if (make?.exitCode !== 0) return skipWith(ctx, 'make not available');
      for (const target of ['train', 'evaluate', 'promote']) {
        const result = await execa('make', [target, `VENV=${project.dir}`], { cwd: dir, reject: false, env: { MLFLOW_TRACKING_URI: '' } });
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
