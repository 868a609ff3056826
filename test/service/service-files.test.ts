// The service files of generated repositories, checked with the tools that
// consume them and against each other: Dockerfile (dockerfile-utils,
// dockerfile-ast), docker-compose.yml, Makefile (GNU make -n), MLproject,
// DVC, pre-commit, the settings table of the README. No Python needed.

import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { beforeAll, describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { agreementChecks } from '../../src/doctor/checks.js';
import { lockedClient } from '../../src/doctor/agreement/mlflow-server.js';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import { dockerfileCheck } from '../../src/doctor/validators/dockerfile.js';
import { deriveContext } from '../../src/derive.js';
import type { Answers } from '../../src/questions/table.js';
import { answersWith, generateRepo, templates } from '../helpers/generate.js';

const hostileText = {
  description: `Scores "fraud" # not a comment \${{ github.token }} back\\slash 'quoted' ünïcødé`,
  author: `O'Brien & Zoë "ZB" <zb@example.com> \\ #1`,
};

const combos: Array<Partial<Answers>> = [
  { name: 'svc-local', python: '3.11', cloud: 'local', monitoring: true, dvc: true, ...hostileText },
  { name: 'svc-aws', python: '3.12', cloud: 'aws', serving: 'kserve', monitoring: false, gpu: true },
  { name: 'svc-gcp', python: '3.13', cloud: 'gcp', rollout: 'canary', dvc: true },
  { name: 'svc-azure', python: '3.12', cloud: 'azure', ci: 'gitlab', dvc: true, monitoring: true },
];

const makeTargets = ['install', 'lock', 'lint', 'format', 'typecheck', 'test', 'check', 'train', 'evaluate', 'promote', 'rollback', 'serve', 'drift', 'docker-build', 'compose-up', 'compose-down', 'hooks', 'clean'];

describe.each(combos)('service files for $name (python $python, $cloud)', (overrides) => {
  let dir: string;
  let context: ReturnType<typeof deriveContext>;
  const read = (path: string) => readFile(join(dir, path), 'utf8');

  beforeAll(async () => {
    ({ dir } = await generateRepo(overrides));
    context = deriveContext(answersWith(overrides), (await templates()).versions, '0.0.0-test');
  });

  test('pyproject.toml parses and keeps free text intact', async () => {
    const pyproject = parseToml(await read('pyproject.toml')) as Record<string, any>;
    const answers = answersWith(overrides);
    expect(pyproject.project.name).toBe(answers.name);
    expect(pyproject.project.description).toBe(answers.description);
    expect(pyproject.project.authors).toEqual([{ name: answers.author }]);
    expect(pyproject.project['requires-python']).toBe(`>=${answers.python}`);
    const names = (pyproject.project.dependencies as string[]).map((dependency) => dependency.split(/[<>=[]/)[0]);
    // Serving needs only mlflow-skinny; full mlflow (and dvc) are the train group's, never in the image.
    expect(names).toEqual(expect.arrayContaining(['fastapi', 'uvicorn', 'pydantic', 'pydantic-settings', 'scikit-learn', 'numpy', 'pandas', 'mlflow-skinny', 'prometheus-client', 'python-json-logger', 'orjson', 'msgspec', 'fsspec']));
    expect(names).not.toContain('mlflow');
    const groups = pyproject['dependency-groups'] as Record<string, Array<string | { 'include-group': string }>>;
    const listed = (group: string) => groups[group]!.filter((entry): entry is string => typeof entry === 'string');
    expect(listed('train').map((dependency) => dependency.split(/[<>=[]/)[0])).toContain('mlflow');
    expect(groups.dev).toContainEqual({ 'include-group': 'train' });
    const dev = listed('dev').map((dependency) => dependency.split(/[<>=[]/)[0]);
    expect(dev).toEqual(expect.arrayContaining(['pytest', 'pytest-cov', 'httpx', 'ruff', 'mypy']));
    for (const dependency of [...pyproject.project.dependencies, ...listed('train'), ...listed('dev')] as string[]) {
      expect(dependency, 'every dependency has a lower bound').toMatch(/>=\d/);
    }
    expect(pyproject.tool.ruff['target-version']).toBe(context.pythonTarget);
    expect(pyproject.tool.mypy.python_version).toBe(answers.python);
    expect(pyproject.tool.mypy.strict).toBe(true);
    expect(pyproject.tool.pytest.ini_options.testpaths).toEqual(['tests']);
    expect(pyproject.tool.coverage.report.fail_under).toBeGreaterThanOrEqual(80);
  });

  test('README keeps free text intact and documents every setting with its default', async () => {
    const readme = await read('README.md');
    const answers = answersWith(overrides);
    const unescape = (text: string) => text.replace(/\\(.)/g, '$1');
    expect(readme.split('\n').map(unescape)).toContain(answers.description);
    for (const partial of ['readme-ci', 'readme-infra', 'readme-deploy']) expect(readme).not.toContain(`{{> ${partial}}}`);
    const settings = await read(`src/${context.packageName}/settings.py`);
    const fields = [...settings.matchAll(/^ {4}(\w+): [^=\n]+= Field\(\s*default=([^,\n]+)/gm)].map((match) => ({ name: match[1]!, raw: match[2]! }));
    expect(fields.length).toBeGreaterThan(15);
    for (const { name, raw } of fields) {
      const variable = name === 'mlflow_tracking_uri' ? 'MLFLOW_TRACKING_URI' : name === 'git_sha' ? 'GIT_SHA' : `${context.envPrefix}${name.toUpperCase()}`;
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${variable}\` |`));
      expect(row, `README settings table row for ${variable}`).toBeDefined();
      // Booleans are shown as they are written in the environment (`true`/`false`).
      const literal = raw === 'True' || raw === 'False' ? raw.toLowerCase() : raw;
      const shown = literal === 'None' ? 'unset' : `\`${literal.replace(/^Path\((.*)\)$/, '$1').replace(/^"(.*)"$/, '$1')}\``;
      expect(row, `${variable} default`).toContain(`| ${shown} |`);
    }
  });

  test('Dockerfile passes dockerfile-utils and has the promised structure', async () => {
    const text = await read('Dockerfile');
    expect(validate(text)).toEqual([]);
    const dockerfile = DockerfileParser.parse(text);
    const froms = dockerfile.getFROMs();
    expect(froms.map((from) => from.getBuildStage())).toEqual(['builder', 'runtime']);
    const expectedBase = overrides.gpu ? (context.versions.service!.cudaImage as string) : context.pythonImage;
    for (const from of froms) {
      expect(from.getImage()).toBe(expectedBase);
      expect(from.getImageTag()).toMatch(/\d/);
    }
    const runtime = dockerfile.getInstructions().filter((instruction) => instruction.getRange().start.line > froms[1]!.getRange().start.line);
    const find = (keyword: string) => runtime.filter((instruction) => instruction.getKeyword() === keyword);
    expect(find('USER').map((user) => user.getArgumentsContent())).toEqual([`${context.runAsUser}:${context.runAsUser}`]);
    expect(find('EXPOSE').map((expose) => expose.getArgumentsContent())).toEqual([String(context.port)]);
    const healthcheck = find('HEALTHCHECK')[0]!.getArgumentsContent()!;
    expect(healthcheck).toContain(`127.0.0.1:${context.port}${context.healthPath}`);
    const cmd = JSON.parse(find('CMD')[0]!.getArgumentsContent()!) as string[];
    expect(cmd.slice(0, 2)).toEqual(['uvicorn', context.appImport]);
    expect(cmd).toEqual(expect.arrayContaining(['--port', String(context.port)]));
    expect(cmd).not.toContain('--workers');
    const env = find('ENV').map((instruction) => instruction.getArgumentsContent()).join(' ');
    for (const variable of ['PYTHONDONTWRITEBYTECODE=1', 'PYTHONUNBUFFERED=1', 'WEB_CONCURRENCY=1']) expect(env).toContain(variable);
    const runtimeText = runtime.map((instruction) => instruction.getTextContent()).join('\n');
    expect(runtimeText, 'no build tools in the runtime stage').not.toMatch(/apt-get install|uv sync|pip install/);
    const result = await dockerfileCheck.run(await loadRepoView(dir));
    expect(result.findings).toEqual([]);
    expect(result.status).toBe('passed');
  });

  test('.dockerignore keeps secrets, data and tooling out of the build context', async () => {
    const entries = (await read('.dockerignore')).split('\n').filter((line) => line && !line.startsWith('#'));
    for (const entry of ['.git', '.venv', 'data', 'mlruns', context.artifactsDir, 'tests', 'notebooks', '.env']) expect(entries).toContain(entry);
    for (const needed of ['src', 'pyproject.toml', 'README.md', 'uv.lock']) expect(entries).not.toContain(needed);
  });

  test('docker-compose.yml is consistent: images, ports, service names, mounted files', async () => {
    const compose = parseYaml(await read('docker-compose.yml'), { merge: true }) as { services: Record<string, any>; volumes: Record<string, unknown> };
    const services = Object.keys(compose.services).sort();
    expect(services).toEqual(overrides.monitoring === false ? ['api', 'mlflow', 'trainer'] : ['api', 'grafana', 'mlflow', 'prometheus', 'trainer']);
    const { api, mlflow, trainer } = compose.services;
    expect(api.ports).toEqual([`127.0.0.1:${context.port}:${context.port}`]);
    expect(mlflow.ports).toEqual([`127.0.0.1:${context.mlflowPort}:${context.mlflowPort}`]);
    // The server is the image deploy/mlflow builds (the cluster's too), with the release of the
    // client the lock holds (what the lifecycle tests run against), hashed.
    expect(mlflow.build).toEqual({ context: 'deploy/mlflow' });
    expect(mlflow.image).toBe(`${context.mlflowImageName}:local`);
    const requirements = (await read('deploy/mlflow/requirements.txt')).split('\n');
    const pinned = (name: string) => {
      const at = requirements.findIndex((line) => line.startsWith(`${name}==`));
      expect(at, `${name} pinned in deploy/mlflow/requirements.txt`).toBeGreaterThanOrEqual(0);
      expect(requirements[at + 1]).toMatch(/^ {4}--hash=sha256:[0-9a-f]{64}/);
      return requirements[at]!.split(/[= ;]+/)[1];
    };
    expect(pinned('mlflow')).toBe(lockedClient(await read('uv.lock'))?.version);
    for (const driver of context.mlflowServer.drivers) pinned(driver);
    // Every requirement carries hashes (uv pip install --require-hashes in the Dockerfile).
    expect(requirements.filter((line) => /^[a-z]/i.test(line)).every((line) => line.endsWith(' \\'))).toBe(true);
    expect(mlflow.read_only).toBe(true);
    expect(mlflow.cap_drop).toEqual(['ALL']);
    const cluster = parseYaml(await read('deploy/k8s/components/mlflow/deployment.yaml')) as any;
    expect(cluster.spec.template.spec.containers[0].image).toBe(`${context.mlflowImageName}:set-from-deploy-values`);
    expect(mlflow.command).toContain(`--port=${context.mlflowPort}`);
    for (const service of [api, trainer]) {
      expect(service.build.context).toBe('.');
      expect(service.environment.MLFLOW_TRACKING_URI).toBe(`http://mlflow:${context.mlflowPort}`);
      expect(service.cap_drop).toEqual(['ALL']);
    }
    expect(api.depends_on.trainer.condition).toBe('service_completed_successfully');
    expect(trainer.depends_on.mlflow.condition).toBe('service_healthy');
    expect(trainer.command.join(' ')).toContain(`python -m ${context.packageName}.train`);
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of (service.volumes ?? []) as string[]) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) expect((await loadRepoView(dir)).exists(source.slice(2)) || (await read(source.slice(2)).then(() => true, () => false)), `${name} mounts ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes), `${name} uses volume ${source}`).toContain(source);
      }
    }
    if (overrides.monitoring !== false) {
      const prometheus = parseYaml(await read('monitoring/prometheus/prometheus.yml')) as { scrape_configs: Array<Record<string, any>> };
      const [job] = prometheus.scrape_configs;
      expect(job!.job_name).toBe(context.name);
      expect(job!.metrics_path).toBe(context.metricsPath);
      expect(job!.static_configs[0].targets).toEqual([`api:${context.port}`]);
      const alerts = parseYaml(await read('monitoring/prometheus/alerts.yml')) as { groups: unknown };
      expect(Array.isArray(alerts.groups)).toBe(true);
      JSON.parse(await read('monitoring/grafana/dashboards/service.json'));
      const datasources = parseYaml(await read('monitoring/grafana/provisioning/datasources/prometheus.yml')) as { datasources: Array<{ url: string }> };
      expect(datasources.datasources[0]!.url).toBe('http://prometheus:9090');
    }
  });

  test('yamllint accepts the service YAML files', async (ctx) => {
    const yamllint = await execa('yamllint', ['--version'], { reject: false }).catch(() => undefined);
    if (yamllint?.exitCode !== 0) {
      console.log('skipped: yamllint not available (Debian package yamllint)');
      return ctx.skip('yamllint not available');
    }
    const config = '{extends: default, rules: {truthy: {check-keys: false}, line-length: {max: 160}, document-start: disable, comments: {min-spaces-from-content: 1}}}';
    const view = await loadRepoView(dir);
    const files = ['docker-compose.yml', 'MLproject', 'python_env.yaml', '.pre-commit-config.yaml', 'dvc.yaml', ...view.files.filter((file) => file.startsWith('monitoring/') && file.endsWith('.yml'))].filter((file) => view.exists(file));
    const result = await execa('yamllint', ['-f', 'parsable', '-d', config, ...files], { cwd: dir, reject: false });
    expect(result.stdout, 'yamllint findings').toBe('');
    expect(result.exitCode).toBe(0);
  });

  test('promtool accepts the local Prometheus configuration and alert rules', async (ctx) => {
    if (overrides.monitoring === false) return;
    const promtool = await execa('promtool', ['--version'], { reject: false }).catch(() => undefined);
    if (promtool?.exitCode !== 0) {
      console.log('skipped: promtool not available (Debian package prometheus)');
      return ctx.skip('promtool not available');
    }
    const config = await execa('promtool', ['check', 'config', 'monitoring/prometheus/prometheus.yml'], { cwd: dir, reject: false });
    expect(config.exitCode, `${config.stdout}${config.stderr}`).toBe(0);
    expect(config.stdout).toMatch(/SUCCESS: [1-9]\d* rules found/);
  });

  test('Makefile: every target dry-runs with GNU make', async (ctx) => {
    const make = await execa('make', ['--version'], { reject: false }).catch(() => undefined);
    if (make?.exitCode !== 0) {
      console.log('skipped: make not available');
      return ctx.skip('make not available');
    }
    const targets = [...makeTargets, ...(overrides.dvc ? ['pipeline'] : []), ...(overrides.cloud === 'local' ? ['kind-up', 'kind-load', 'deploy-local'] : [])];
    const help = await execa('make', ['help'], { cwd: dir });
    for (const target of targets) {
      const dry = await execa('make', ['-n', target, 'VENV=/opt/venv'], { cwd: dir, reject: false });
      expect(dry.exitCode, `make -n ${target}: ${dry.stderr}`).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^  ${target} `, 'm'));
    }
    expect((await execa('make', ['-n', 'serve', 'VENV=/opt/venv'], { cwd: dir })).stdout).toContain(`/opt/venv/bin/python -m uvicorn ${context.appImport} --host 127.0.0.1 --port ${context.port}`);
    expect((await execa('make', ['-n', 'rollback', 'VERSION=7'], { cwd: dir })).stdout).toContain(`-m ${context.packageName}.rollback --version 7`);
    if (overrides.dvc && context.hasTerraform) {
      // The remote's URL comes from Terraform or the CI variables, never from the committed config.
      const remote = ['DVC_REMOTE_URL=s3://example-bucket/data', 'DVC_STORAGE_ACCOUNT=exampleaccount'];
      const dry = await execa('make', ['-n', 'dvc-remote', 'VENV=/opt/venv', ...remote], { cwd: dir });
      expect(dry.stdout).toContain('dvc remote add --local --force storage "$url"');
      expect(dry.stdout).toContain('url="s3://example-bucket/data"');
      if (context.isAzure) expect(dry.stdout).toContain('dvc remote modify --local storage account_name "$account"');
      expect(help.stdout).toMatch(/^  dvc-remote /m);
      // Unset: a clear message and a failing exit, nothing written.
      const unset = await execa('make', ['dvc-remote', 'VENV=/opt/venv', 'DVC_REMOTE_URL=', 'DVC_STORAGE_ACCOUNT='], { cwd: dir, reject: false });
      expect(unset.exitCode).toBe(2);
      expect(unset.stderr).toContain('Set DVC_REMOTE_URL');
    }
  });

  test('MLproject, python_env.yaml, pre-commit and DVC files are well-formed and agree', async () => {
    const project = parseYaml(await read('MLproject')) as { name: string; python_env: string; entry_points: Record<string, { command: string }> };
    expect(project.python_env).toBe('python_env.yaml');
    for (const entry of ['train', 'evaluate', 'promote']) {
      expect(project.entry_points[entry]!.command).toContain(`python -m ${context.packageName}.${entry}`);
    }
    expect((parseYaml(await read('python_env.yaml')) as { python: string }).python).toBe(context.python);
    const hooks = (parseYaml(await read('.pre-commit-config.yaml')) as { repos: Array<{ rev: string; hooks: Array<{ id: string }> }> }).repos;
    const ids = hooks.flatMap((repo) => repo.hooks.map((hook) => hook.id));
    expect(ids).toEqual(expect.arrayContaining(['ruff-check', 'ruff-format', 'trailing-whitespace', 'end-of-file-fixer', 'check-added-large-files']));
    for (const repo of hooks) expect(repo.rev).toMatch(/^v\d+\.\d+\.\d+$/);
    const view = await loadRepoView(dir);
    expect(view.exists('dvc.yaml')).toBe(Boolean(overrides.dvc));
    expect(view.exists('monitoring/prometheus/prometheus.yml')).toBe(overrides.monitoring !== false);
    if (overrides.dvc) {
      const dvc = parseYaml(await read('dvc.yaml')) as { stages: Record<string, { cmd: string; deps: string[] }> };
      expect(Object.keys(dvc.stages)).toEqual(['prepare', 'train', 'evaluate']);
      for (const stage of Object.values(dvc.stages)) {
        for (const dep of stage.deps) if (dep.startsWith('src/')) expect(view.exists(dep), dep).toBe(true);
      }
      const config = await read('.dvc/config');
      expect(config).toMatch(/^\s*remote = storage$/m);
      // A cloud bucket's name carries the account, project or subscription: no URL is
      // committed, `make dvc-remote` writes it to .dvc/config.local per clone.
      const remote = config.match(/^\s*url = (.+)$/m)?.[1];
      // DVC resolves a relative remote from .dvc/: ../../ puts the store beside the repository, not inside it.
      expect(remote).toBe(context.cloud === 'local' ? '../../.dvc-storage' : undefined);
    }
  });

  test('docs: a model card and a runbook covering deploy, rollback and drift', async () => {
    const runbook = await read('docs/runbook.md');
    for (const heading of ['## Deploy a new model', '## Roll back a model', '## Respond to a drift alert']) expect(runbook).toContain(heading);
    expect(await read('docs/model-card.md')).toContain('## Evaluation');
  });

  test('doctor agreement checks pass', async () => {
    const view = await loadRepoView(dir);
    for (const check of agreementChecks.filter((candidate) => candidate.applies(view))) {
      const result = await check.run(view);
      expect(result.findings, check.id).toEqual([]);
      expect(result.status, check.id).not.toBe('failed');
    }
  });
});
