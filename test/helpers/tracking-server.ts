// A real MLflow tracking server on a loopback port for the lifecycle tests,
// with a SQLite or a PostgreSQL backend store and artifacts served by the
// server itself (--serve-artifacts), as in production. The server runs in its
// own uv tool environment (the MLflow version of the repository's uv.lock, plus
// psycopg2 for PostgreSQL), never in the repository's environment: clients
// reach it only over HTTP. PostgreSQL is Debian's (initdb and pg_ctl in a
// temporary directory, trust authentication on 127.0.0.1 only).

import { execa, type ResultPromise } from 'execa';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from '../service/service-process.js';
import { uvCache } from './python-env.js';

export interface Stoppable {
  stop(): Promise<void>;
}

/** Debian's PostgreSQL binaries (MLFORGE_POSTGRES_BIN, else the newest /usr/lib/postgresql/N/bin). */
export function postgresBin(): string | undefined {
  if (process.env.MLFORGE_POSTGRES_BIN) return process.env.MLFORGE_POSTGRES_BIN;
  for (const version of ['17', '16', '15', '14']) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

/** PostgreSQL refuses to run as root: as root, its commands run as the postgres user. */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

export async function startPostgres(): Promise<Stoppable & { url: string }> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
  const root = await mkdtemp(join(tmpdir(), 'mlforge-pg-'));
  await chmod(root, 0o777);
  const data = join(root, 'data');
  const port = await freeLoopbackPort();
  const run = (tool: string, args: string[]) => {
    const [command, all] = asPostgres(join(bin, tool), args);
    return execa(command, all, { cwd: root, stdin: 'ignore', all: true, timeout: 120_000 });
  };
  await run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${root} -c fsync=off -c max_connections=50`;
  await run('pg_ctl', ['-D', data, '-o', options, '-l', join(root, 'server.log'), '-w', '-t', '60', 'start']);
  await run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'mlflow']);
  return {
    // The driver named explicitly: SQLAlchemy 2.1 defaults postgresql:// to psycopg 3, the server has psycopg2.
    url: `postgresql+psycopg2://postgres@127.0.0.1:${port}/mlflow`,
    async stop() {
      await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}

export interface TrackingServer extends Stoppable {
  url: string;
  logs(): string;
}

/**
 * MLflow with its authentication on, started as the cluster starts it: a generated repository's
 * deploy/mlflow/auth_server.py (`entrypoint`), run by the MLflow tool environment's Python
 * (with the `auth` extra), given `env` (MLFLOW_AUTH_ADMIN_PASSWORD, MLFLOW_FLASK_SERVER_SECRET_KEY,
 * MLFLOW_AUTH_USERS_DIR, as the Deployment sets them).
 */
export interface AuthServer {
  entrypoint: string;
  env: Record<string, string>;
}

/** `mlflow server` of `mlflowVersion` with `backendUri`, artifacts proxied into a temporary directory. */
/**
 * `allowedHosts` is MLFLOW_SERVER_ALLOWED_HOSTS as a generated manifest sets it; clients reach
 * the server at http://127.0.0.1:<port>, the Host header a `kubectl port-forward` client sends.
 */
export async function startTrackingServer(mlflowVersion: string, backendUri: string, interpreter: string, allowedHosts?: string, auth?: AuthServer): Promise<TrackingServer> {
  // The port is found free, then bound by the server seconds later (uv resolves its tool first):
  // another suite on this machine can take it in between. Only that race is retried, on a new port.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce(mlflowVersion, backendUri, interpreter, allowedHosts, auth);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof PortTaken)) throw error;
    }
  }
}

class PortTaken extends Error {}

async function startOnce(mlflowVersion: string, backendUri: string, interpreter: string, allowedHosts?: string, auth?: AuthServer): Promise<TrackingServer> {
  const artifacts = await mkdtemp(join(tmpdir(), 'mlforge-mlflow-artifacts-'));
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const serverArgs = ['--backend-store-uri', backendUri, '--serve-artifacts', '--artifacts-destination', artifacts, '--host', '127.0.0.1', '--port', String(port), '--workers', '1'];
  const tool = auth
    ? ['tool', 'run', '--from', `mlflow[auth]==${mlflowVersion}`, '--with', 'psycopg2-binary', 'python', auth.entrypoint, ...serverArgs]
    : ['tool', 'run', '--from', `mlflow==${mlflowVersion}`, '--with', 'psycopg2-binary', 'mlflow', 'server', ...serverArgs];
  const child: ResultPromise = execa('uv', tool, {
    cwd: artifacts,
    reject: false,
    stdin: 'ignore',
    all: true,
    env: {
      UV_CACHE_DIR: uvCache, UV_PYTHON: interpreter, UV_PYTHON_DOWNLOADS: 'never', UV_NO_PROGRESS: '1',
      // The server's background job runners (MLflow 3's huey consumers) are not needed here.
      MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
      ...(allowedHosts ? { MLFLOW_SERVER_ALLOWED_HOSTS: allowedHosts } : {}),
      // auth_server.py reads the store from the environment, as the Deployment gives it; its config goes to a folder of this run.
      ...(auth ? { MLFLOW_BACKEND_STORE_URI: backendUri, MLFLOW_AUTH_CONFIG_DIR: join(artifacts, '.auth'), ...auth.env } : {}),
    },
  });
  let logs = '';
  child.all?.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await child;
    clearTimeout(timer);
    await rm(artifacts, { recursive: true, force: true });
  };
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (child.exitCode !== null) {
      await rm(artifacts, { recursive: true, force: true });
      const message = `mlflow server exited with ${child.exitCode} before answering:\n${logs.slice(-3000)}`;
      throw /\[Errno 98\] Address already in use/.test(logs) ? new PortTaken(message) : new Error(message);
    }
    if (await fetch(`${url}/health`).then((response) => response.ok, () => false)) return { url, stop, logs: () => logs };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`mlflow server did not answer ${url}/health within 240 s:\n${logs.slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
