// A generated service under hostile requests: generated with the built CLI,
// trained and promoted through its Makefile (local registry), served by
// uvicorn on 127.0.0.1. Each hostile body is sent while /health is probed;
// the server's RSS is sampled from /proc throughout. Then SIGTERM during a
// stalled upload must stop it promptly and cleanly.
//
// Bounds: RSS below 400 MB at every sample, every hostile request answered
// (4xx, never 5xx) within 5 s, /health answered within 1 s during each attack.

import { execa } from 'execa';
import { mkdtemp, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { makeInstall, type PythonEnv } from '../helpers/python-env.js';
import { startService, type RunningService } from './service-process.js';

const RSS_LIMIT_MB = 400;
const ANSWER_LIMIT_MS = 5_000;
const HEALTH_LIMIT_MS = 1_000;
const name = 'hostile-svc';
const packageName = 'hostile_svc';
const prefix = 'HOSTILE_SVC_';
const root = join(import.meta.dirname, '..', '..');

interface Answer {
  status: number;
  body: string;
  ms: number;
}

/** POST with full control of the body: chunks (optionally paced) and an optional Content-Length. */
function post(url: string, chunks: AsyncIterable<Buffer> | Buffer[], contentLength?: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // Expect: 100-continue, as curl sends for large bodies: the body goes out only when
    // the server asks for it, so a refusal on the headers alone is seen before any reset.
    const headers: Record<string, string | number> = { 'content-type': 'application/json', expect: '100-continue' };
    if (contentLength !== undefined) headers['content-length'] = contentLength;
    const req = request(`${url}/predict`, { method: 'POST', headers });
    let answered = false;
    req.on('response', (response) => {
      answered = true;
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, ms: performance.now() - started }));
    });
    // The server answers 413 and closes while a huge body is still being sent: that is the point.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const continued = new Promise((done) => req.once('continue', done));
    req.flushHeaders();
    (async () => {
      await Promise.race([continued, new Promise((done) => req.once('response', done))]);
      for await (const chunk of chunks) {
        if (answered || req.destroyed) break;
        if (!req.write(chunk)) await new Promise((done) => req.once('drain', done));
        // Paced like a real upload: the server reads as it goes, so nothing unread is
        // left in its socket when it answers early and closes (which would reset it).
        await new Promise((done) => setTimeout(done, 1));
      }
      if (!req.destroyed && !answered) req.end();
    })().catch(() => undefined);
  });
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) / 1024;
}

function skipWith(ctx: TestContext, reason: string): void {
  console.log(`skipped: ${reason}`);
  ctx.skip(reason);
}

describe('a generated service under hostile requests', () => {
  let dir: string;
  let project: PythonEnv | undefined;
  let reason = '';
  let service: RunningService | undefined;
  let example: Record<string, number>;
  const peaks: Record<string, number> = {};

  beforeAll(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'mlforge-hostile-')), name);
    const created = await execa('node', [join(root, 'bin', 'mlforge.js'), 'new', dir, '--name', name, '--python', '3.12', '--cloud', 'local', '--yes', '--no-git', '--quiet'], { reject: false });
    if (created.exitCode !== 0) throw new Error(`mlforge new failed: ${created.stderr}`);
    const installed = await makeInstall(dir, '3.12');
    if (!installed.ok) {
      reason = installed.reason;
      return;
    }
    project = installed.env;
    // The first model that passes the quality gate becomes champion (make train bootstraps it).
    const trained = await execa('make', ['train'], { cwd: dir, reject: false, env: { ...project.makeEnv, MLFLOW_TRACKING_URI: '' } });
    if (trained.exitCode !== 0) throw new Error(`make train failed: ${trained.stderr}`);
    example = JSON.parse(String((await execa(project.python, ['-c', `import json; from ${packageName}.features import EXAMPLE_ROW; print(json.dumps(EXAMPLE_ROW))`])).stdout)) as Record<string, number>;
    service = await startService(project.python, dir, `${packageName}.serving.app:app`, { env: { [`${prefix}REQUEST_TIMEOUT_SECONDS`]: '2' } });
  }, 30 * 60_000);

  afterAll(async () => {
    if (service) await service.stop();
    console.log(`hostile bodies: peak server RSS (MB) ${JSON.stringify(peaks)}`);
  });

  /** Sends one hostile request while sampling RSS and probing /health; returns what happened. */
  async function attack(label: string, send: () => Promise<Answer>) {
    const running = service!;
    let peak = await rssMb(running.pid);
    let done = false;
    const sampler = (async () => {
      while (!done) {
        peak = Math.max(peak, await rssMb(running.pid));
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    const healthMs: number[] = [];
    const prober = (async () => {
      // At least one probe per attack, started together with it.
      while (!done || healthMs.length === 0) {
        const started = performance.now();
        const response = await fetch(`${running.url}/health`, { signal: AbortSignal.timeout(HEALTH_LIMIT_MS * 3) });
        expect(response.status).toBe(200);
        healthMs.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      const answer = await send();
      return { answer, healthMs };
    } finally {
      done = true;
      await Promise.all([sampler, prober]);
      peaks[label] = Math.round(peak);
      console.log(`${label}: peak RSS ${peak.toFixed(0)} MB, /health max ${Math.max(0, ...healthMs).toFixed(0)} ms over ${healthMs.length} probes`);
      expect(peak, `${label}: RSS`).toBeLessThan(RSS_LIMIT_MB);
      for (const ms of healthMs) expect(ms, `${label}: /health latency`).toBeLessThan(HEALTH_LIMIT_MS);
    }
  }

  const cases: Array<[string, number, () => { chunks: Buffer[] | AsyncIterable<Buffer>; length?: number }]> = [
    ['600 KB of empty rows', 422, () => body(`{"rows": [${Array.from({ length: 200_000 }, () => '{}').join(',')}]}`)],
    ['a 50 MB body with Content-Length', 413, () => ({ chunks: megabytes(50), length: 50 * 1024 * 1024 })],
    ['a 50 MB chunked body', 413, () => ({ chunks: megabytes(50) })],
    ['900 KB of nesting', 422, () => body(`{"rows": [${'['.repeat(450_000)}${']'.repeat(450_000)}]}`)],
    ['rows of 1e308', 422, () => body(JSON.stringify({ rows: Array.from({ length: 100 }, () => Object.fromEntries(Object.keys(example).map((key) => [key, 1e308]))) }))],
    ['numbers beyond double range', 422, () => body(`{"rows": [${JSON.stringify(example).replace(/:[^,}]+/g, ':1e999')}]}`)],
    ['3000 validation errors', 422, () => body(JSON.stringify({ rows: Array.from({ length: 100 }, () => Object.fromEntries(Object.keys(example).map((key) => [key, 'x'.repeat(200)]))) }))],
  ];

  test.for(cases)('%s is answered %i quickly, within the memory bound, with /health answering', async ([label, status, make], ctx) => {
    if (!project || !service) return skipWith(ctx, reason || 'no service');
    const { chunks, length } = make();
    const { answer } = await attack(label, () => post(service!.url, chunks, length));
    expect(answer.status, answer.body.slice(0, 500)).toBe(status);
    expect(answer.ms, `${label}: answer time`).toBeLessThan(ANSWER_LIMIT_MS);
    expect(answer.body.length, 'a bounded answer').toBeLessThan(8_000);
    console.log(`${label}: ${answer.status} in ${answer.ms.toFixed(0)} ms, ${answer.body.length} bytes`);
  });

  test('a body that stalls is a 408 after the request timeout', async (ctx) => {
    if (!project || !service) return skipWith(ctx, reason || 'no service');
    const { answer } = await attack('a stalled body', () => post(service!.url, stalled(10_000), 100));
    expect(answer.status).toBe(408);
    expect(answer.ms).toBeGreaterThan(1_500);
    expect(answer.ms).toBeLessThan(ANSWER_LIMIT_MS);
  });

  test('afterwards it still scores, and no request was a 5xx', async (ctx) => {
    if (!project || !service) return skipWith(ctx, reason || 'no service');
    const answer = await post(service.url, [Buffer.from(JSON.stringify({ rows: [example] }))]);
    expect(answer.status, answer.body).toBe(200);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/http_requests_total\{method="POST",route="\/predict",status="413"\} 2\.0/);
    expect(metrics).not.toMatch(/status="5\d\d"/);
  });

  test('SIGTERM during a stalled upload stops the server promptly and cleanly', async (ctx) => {
    if (!project || !service) return skipWith(ctx, reason || 'no service');
    const running = service;
    service = undefined;
    const inFlight = post(running.url, stalled(60_000), 100).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = performance.now();
    const stopped = await running.stop();
    const seconds = (performance.now() - started) / 1000;
    await inFlight;
    console.log(`SIGTERM to exit with a request in flight: ${seconds.toFixed(1)} s`);
    expect(stopped.clean, stopped.logs.slice(-2000)).toBe(true);
    expect(seconds).toBeLessThan(10);
    expect(stopped.logs).not.toContain('Traceback');
  });
});

function body(text: string): { chunks: Buffer[]; length: number } {
  const buffer = Buffer.from(text);
  return { chunks: [buffer], length: buffer.length };
}

async function* megabytes(count: number): AsyncIterable<Buffer> {
  const chunk = Buffer.alloc(64 * 1024, '[');
  for (let index = 0; index < count * 16; index++) yield chunk;
}

async function* stalled(ms: number): AsyncIterable<Buffer> {
  yield Buffer.from('{"rows": [');
  await new Promise((resolve) => setTimeout(resolve, ms));
}
