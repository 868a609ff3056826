// Day one works as printed: `mlforge new churn-model --yes` (the README's quick
// start), then every next step it printed, parsed from its output and run
// literally in order with bash: `make serve` keeps running, so it starts in the
// background and the following step (`make predict`, "from another terminal")
// runs once the server is ready, and must get predictions from the champion
// that `make train` made. uv and a Python 3.12 are the only things a user needs.

import { execa, type ResultPromise } from 'execa';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';
import { findPython, uvVariables } from '../helpers/python-env.js';
import { hasCommand } from '../hostile/tools.js';
import { freeLoopbackPort } from '../service/service-process.js';

const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'mlforge.js');

/** The commands between "Next steps:" and the closing "See README.md" line, comments dropped. */
function parseNextSteps(output: string): string[] {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => line.trim() === 'Next steps:');
  const end = lines.findIndex((line, index) => index > start && !line.startsWith('  '));
  return lines.slice(start + 1, end).map((line) => line.replace(/\s+#.*$/, '').trim());
}

test('the printed next steps, run literally, end with a ready server answering /predict', { timeout: 1_800_000 }, async (ctx) => {
  const python = await findPython('3.12');
  for (const [tool, ok] of [['uv', hasCommand('uv', ['--version'])], ['make', hasCommand('make', ['--version'])], ['Python 3.12', Boolean(python)]] as const) {
    if (!ok) {
      console.log(`skipped: ${tool} not available (day one needs it)`);
      return ctx.skip();
    }
  }
  let cwd = await mkdtemp(join(tmpdir(), 'mlforge-day-one-'));
  const created = await execa(process.execPath, [bin, 'new', 'churn-model', '--yes'], { cwd, env: { NO_COLOR: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } });
  const steps = parseNextSteps(String(created.stdout));
  expect(steps).toEqual(['cd churn-model', 'make install', 'make check', 'make train', 'make serve', 'make predict']);
  // What a user's shell has: uv, and a Python 3.12 that uv finds (here named exactly). PORT
  // (read by make serve and make predict alike) keeps off 8000, which other suites may hold.
  const port = await freeLoopbackPort();
  const env = { ...uvVariables(python!), NO_COLOR: '1', PORT: String(port) };
  let server: ResultPromise | undefined;
  let serverLogs = '';
  try {
    for (const [index, step] of steps.entries()) {
      if (step.startsWith('cd ')) {
        cwd = resolve(cwd, step.slice(3));
        continue;
      }
      if (step === 'make serve') {
        server = execa('bash', ['-c', step], { cwd, env, reject: false, all: true, detached: true, stdin: 'ignore' });
        server.all?.on('data', (chunk: Buffer) => (serverLogs += chunk.toString()));
        const deadline = Date.now() + 120_000;
        while ((await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.status, () => 0)) !== 200) {
          expect(server.exitCode, `make serve exited:\n${serverLogs}`).toBeNull();
          expect(Date.now() < deadline, `not ready within 120 s:\n${serverLogs}`).toBe(true);
          await new Promise((done) => setTimeout(done, 300));
        }
        continue;
      }
      const started = performance.now();
      const result = await execa('bash', ['-c', step], { cwd, env, reject: false, all: true, timeout: 900_000 });
      expect(result.exitCode, `step ${index + 1} "${step}":\n${String(result.all).slice(-3000)}`).toBe(0);
      console.log(`day one: ${step} ${((performance.now() - started) / 1000).toFixed(1)} s`);
      if (step === 'make predict') {
        const answer = JSON.parse(String(result.stdout).trim().split('\n').pop()!) as { model_version: string; predictions: unknown[] };
        expect(answer.model_version).toBe('1');
        expect(answer.predictions).toHaveLength(1);
      }
    }
    // With nothing listening on its port, make predict says what to check in one line, no traceback.
    const closed = await freeLoopbackPort();
    const refused = await execa('bash', ['-c', 'make predict'], { cwd, env: { ...env, PORT: String(closed) }, reject: false, all: true });
    expect(refused.exitCode).not.toBe(0);
    expect(String(refused.stderr)).toMatch(/make predict: .*Connection refused.*\(is make serve running on 127\.0\.0\.1:\d+\?\)/);
    expect(String(refused.all)).not.toContain('Traceback');
  } finally {
    if (server && server.exitCode === null) process.kill(-server.pid!, 'SIGTERM');
    await server;
  }
});
