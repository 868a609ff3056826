// Monitoring objects with the real tools: promtool checks the alert rules the
// PrometheusRule and the local Prometheus share, unit-tests that the error-rate
// and drift alerts fire, and parses every PromQL query of the Grafana dashboard
// and the canary analysis. Also runs the deploy-values script both ways.

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { deriveContext, type RenderContext } from '../../src/derive.js';
import { loadRepoView } from '../../src/doctor/repo-view.js';
import { createRenderer } from '../../src/render/renderer.js';
import { kustomizeBuildCheck } from '../../src/doctor/validators/kubernetes.js';
import { buildOverlays, type BuiltObject } from '../../src/doctor/validators/kubernetes-build.js';
import { generateRepo, templates } from '../helpers/generate.js';

type Json = Record<string, any>;

const promtool = await execa('promtool', ['--version'], { reject: false }).then((result) => result.exitCode === 0, () => false);
if (!promtool) console.warn('promtool not available (Debian package "prometheus"): the promtool tests are skipped');

let dir = '';
let ctx: RenderContext;
let objects: BuiltObject[] = [];

beforeAll(async () => {
  const generated = await generateRepo({ cloud: 'azure', serving: 'fastapi', rollout: 'canary', monitoring: true });
  dir = generated.dir;
  ctx = deriveContext(generated.plan.answers, (await templates()).versions, generated.plan.mlforgeVersion);
  const [build] = await buildOverlays(await loadRepoView(dir));
  if (!build?.ok) throw new Error(`the overlay does not build: ${build && !build.ok ? build.error : 'no overlay'}`);
  objects = build.objects;
});

const find = (kind: string) => objects.find((object) => object.kind === kind) as Json;

async function scratchFile(name: string, text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'mlforge-promtool-')), name);
  await writeFile(path, text);
  return path;
}

describe.skipIf(!promtool)('alert rules and queries (promtool)', () => {
  it('the PrometheusRule groups pass promtool check rules', async () => {
    const rules = await scratchFile('rules.yml', stringify({ groups: find('PrometheusRule').spec.groups }));
    const result = await execa('promtool', ['check', 'rules', rules], { reject: false });
    expect(result.stdout + result.stderr).toMatch(/SUCCESS: 4 rules found/);
    expect(result.exitCode).toBe(0);
  });

  it('the partial, included as the local Prometheus includes it, passes promtool check rules', async () => {
    const { partials } = await templates();
    const alerts = createRenderer(partials).compile('alerts.yml', 'groups:\n  {{> prometheus-rule-groups}}\n')(ctx);
    const result = await execa('promtool', ['check', 'rules', await scratchFile('alerts.yml', alerts)], { reject: false });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(parse(alerts).groups).toEqual(find('PrometheusRule').spec.groups);
  });

  it('the local Prometheus loads the same rules', async () => {
    const repo = await loadRepoView(dir);
    if (!repo.exists('monitoring/prometheus/alerts.yml')) throw new Error('monitoring/prometheus/alerts.yml is missing from the generated repository');
    const result = await execa('promtool', ['check', 'rules', join(dir, 'monitoring/prometheus/alerts.yml')], { reject: false });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(parse(await repo.read('monitoring/prometheus/alerts.yml')).groups).toEqual(find('PrometheusRule').spec.groups);
  });

  it('the error-rate and drift alerts fire on the series they watch', async () => {
    const rules = await scratchFile('rules.yml', stringify({ groups: find('PrometheusRule').spec.groups }));
    const olderJob = `${ctx.name}-drift-29000000`;
    const driftJob = `${ctx.name}-drift-29000060`;
    const tests = {
      rule_files: [rules],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: `${ctx.metrics.requests}{job="${ctx.name}",method="POST",route="${ctx.predictPath}",status="500"}`, values: '0+60x20' },
            { series: `${ctx.metrics.requests}{job="${ctx.name}",method="POST",route="${ctx.predictPath}",status="200"}`, values: '0+60x20' },
            // An older drift Job failed and stays failed; the newest one fails from minute 5 on.
            { series: `kube_job_status_failed{namespace="${ctx.namespace}",job_name="${olderJob}",job="kube-state-metrics"}`, values: '1x30' },
            { series: `kube_job_created{namespace="${ctx.namespace}",job_name="${olderJob}",job="kube-state-metrics"}`, values: '1000x30' },
            { series: `kube_job_status_failed{namespace="${ctx.namespace}",job_name="${driftJob}",job="kube-state-metrics"}`, values: '0x5 1x25' },
            { series: `kube_job_created{namespace="${ctx.namespace}",job_name="${driftJob}",job="kube-state-metrics"}`, values: '2000x30' },
            { series: `kube_job_status_failed{namespace="${ctx.namespace}",job_name="other-job",job="kube-state-metrics"}`, values: '1x30' },
          ],
          alert_rule_test: [
            {
              eval_time: '15m',
              alertname: `${ctx.pascalName}HighErrorRate`,
              exp_alerts: [
                {
                  exp_labels: { severity: 'page' },
                  exp_annotations: {
                    summary: `More than 5% of ${ctx.name} requests fail with a 5xx status.`,
                    description: 'The 5xx ratio over 5 minutes is 50%.',
                  },
                },
              ],
            },
            // The newest Job has not failed yet: the older failure alone does not alert.
            { eval_time: '3m', alertname: `${ctx.pascalName}DriftDetected`, exp_alerts: [] },
            {
              eval_time: '10m',
              alertname: `${ctx.pascalName}DriftDetected`,
              exp_alerts: [
                {
                  exp_labels: { severity: 'ticket', namespace: ctx.namespace, job_name: driftJob },
                  exp_annotations: {
                    summary: `The ${ctx.name} drift check failed (drift detected, or the check could not run).`,
                    description: `Job ${driftJob} failed; read its log with kubectl logs job/${driftJob} -n ${ctx.namespace}.`,
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const file = await scratchFile('tests.yml', stringify(tests));
    const result = await execa('promtool', ['test', 'rules', file], { reject: false });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  });

  it('every dashboard and canary-analysis query is valid PromQL on the service metrics', async () => {
    const board = JSON.parse((objects.find((o) => o.metadata?.name === `${ctx.name}-dashboard`) as Json).data[`${ctx.name}.json`]);
    const dashboardQueries: string[] = board.panels.flatMap((panel: Json) => panel.targets.map((target: Json) => target.expr));
    const analysisQueries: string[] = find('AnalysisTemplate').spec.metrics.map((metric: Json) => metric.provider.prometheus.query);
    expect(dashboardQueries).toHaveLength(8);
    expect(analysisQueries).toHaveLength(3);
    const metricNames = Object.values(ctx.metrics);
    for (const query of [...dashboardQueries, ...analysisQueries]) expect(metricNames.some((metric) => query.includes(metric))).toBe(true);
    // Grafana's $__rate_interval and the analysis' {{args.*}} are filled in before Prometheus sees a query.
    const asRules = {
      groups: [
        {
          name: 'queries',
          rules: [...dashboardQueries, ...analysisQueries].map((query, index) => ({
            record: `query_${index}`,
            expr: query.replaceAll('$__rate_interval', '5m').replaceAll('{{args.canary-hash}}', '5d8f7c9b6d'),
          })),
        },
      ],
    };
    const result = await execa('promtool', ['check', 'rules', await scratchFile('queries.yml', stringify(asRules))], { reject: false });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  });
});

describe('the Grafana dashboard', () => {
  it('is valid JSON with the required panels, identical locally and in the cluster', async () => {
    const inCluster = (objects.find((o) => o.metadata?.name === `${ctx.name}-dashboard`) as Json).data[`${ctx.name}.json`];
    const board = JSON.parse(inCluster);
    expect(board.uid).toBe(ctx.name);
    expect(board.panels.map((panel: Json) => panel.title)).toEqual([
      'Request rate',
      'Latency quantiles',
      'Error ratio (5xx)',
      'Prediction distribution',
      'Predictions per second',
      'Model version',
    ]);
    const repo = await loadRepoView(dir);
    if (!repo.exists('monitoring/grafana/dashboards/service.json')) throw new Error('monitoring/grafana/dashboards/service.json is missing');
    expect(JSON.parse(await repo.read('monitoring/grafana/dashboards/service.json'))).toEqual(board);
  });
});

describe('deploy/k8s/write-deploy-values.sh', () => {
  it('refuses a missing or empty value, then writes a file the overlay builds from in place', async () => {
    const script = join(dir, 'deploy/k8s/write-deploy-values.sh');
    const valid = [
      'IMAGE=registry.example/app@sha256:' + 'a'.repeat(64),
      'GIT_SHA=' + 'b'.repeat(40),
      'INGRESS_HOST=app.example.org',
      'AZURE_CLIENT_ID=11111111-2222-3333-4444-555555555555',
      'MLFLOW_IDENTITY=66666666-7777-8888-9999-000000000000',
      'MODEL_VERSION=7',
      'MLFLOW_IMAGE=registry.example/app-mlflow@sha256:' + 'c'.repeat(64),
      'AZURE_KEY_VAULT_URL=https://app-stg-0a1b2c3d.vault.azure.net/',
      'AZURE_TENANT_ID=77777777-8888-9999-0000-111111111111',
    ];
    const missing = await execa(script, ['staging', ...valid.slice(0, 3), ...valid.slice(4)], { reject: false });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/AZURE_CLIENT_ID is required/);
    const empty = await execa(script, ['staging', ...valid.slice(0, 3), 'AZURE_CLIENT_ID=', ...valid.slice(4)], { reject: false });
    expect(empty.stderr).toMatch(/AZURE_CLIENT_ID must be a non-empty value/);
    const unknown = await execa(script, ['staging', ...valid, 'AWS_ROLE_ARN=x'], { reject: false });
    expect(unknown.stderr).toMatch(/unknown argument 'AWS_ROLE_ARN=x'/);
    const wrongEnvironment = await execa(script, ['production', ...valid], { reject: false });
    expect(wrongEnvironment.exitCode).toBe(2);

    await execa(script, ['staging', ...valid]);
    expect(await readFile(join(dir, 'deploy/k8s/overlays/staging/deploy-values.env'), 'utf8')).toBe(`${valid.join('\n')}\n`);
    const result = await kustomizeBuildCheck.run(await loadRepoView(dir));
    expect(result.status).toBe('passed');
    // staging is built from the real file; prod (no file yet) from the example's values.
    expect(result.reason).not.toMatch(/overlays\/staging\/deploy-values\.env is absent/);
    expect(result.reason).toMatch(/overlays\/prod\/deploy-values\.env is absent/);
    const staging = (await buildOverlays(await loadRepoView(dir))).find((build) => build.overlay.endsWith('staging'));
    const rollout = staging?.ok ? (staging.objects.find((o) => o.kind === 'Rollout') as Json) : undefined;
    expect(rollout?.spec.template.spec.containers[0].image).toBe(valid[0]!.slice('IMAGE='.length));
    // Both secret stores read the environment's Key Vault as the tenant's workload identities.
    const stores = staging?.ok ? (staging.objects.filter((o) => o.kind === 'SecretStore') as Json[]) : [];
    expect(stores.map((store) => [store.spec.provider.azurekv.vaultUrl, store.spec.provider.azurekv.tenantId])).toEqual([
      ['https://app-stg-0a1b2c3d.vault.azure.net/', '77777777-8888-9999-0000-111111111111'],
      ['https://app-stg-0a1b2c3d.vault.azure.net/', '77777777-8888-9999-0000-111111111111'],
    ]);
  });
});

const yamllint = await execa('yamllint', ['--version'], { reject: false }).then((result) => result.exitCode === 0, () => false);
const shellcheck = await execa('shellcheck', ['--version'], { reject: false }).then((result) => result.exitCode === 0, () => false);
if (!yamllint) console.warn('yamllint not available (Debian package "yamllint"): the YAML style test is skipped');
if (!shellcheck) console.warn('shellcheck not available (Debian package "shellcheck"): the shell test is skipped');

describe('deploy/ files with yamllint and shellcheck', () => {
  const variants = [
    { cloud: 'aws', serving: 'fastapi', rollout: 'rolling', monitoring: true, gpu: true },
    { cloud: 'gcp', serving: 'fastapi', rollout: 'canary', monitoring: true, gpu: false },
    { cloud: 'azure', serving: 'kserve', rollout: 'rolling', monitoring: true, gpu: true },
    { cloud: 'local', serving: 'fastapi', rollout: 'rolling', monitoring: false, gpu: false },
  ] as const;

  it.skipIf(!yamllint)('every YAML file under deploy/ passes yamllint', async () => {
    const config = await scratchFile('yamllint.yml', 'extends: default\nrules:\n  line-length: disable\n  document-start: disable\n  truthy: {check-keys: false}\n');
    for (const variant of variants) {
      const { dir: repo } = await generateRepo(variant);
      const result = await execa('yamllint', ['-c', config, '-f', 'parsable', join(repo, 'deploy')], { reject: false });
      expect(result.stdout, JSON.stringify(variant)).toBe('');
      expect(result.exitCode).toBe(0);
    }
  });

  it.skipIf(!shellcheck)('write-deploy-values.sh and render-overlays.sh pass shellcheck', async () => {
    for (const variant of variants) {
      const { dir: repo } = await generateRepo(variant);
      for (const script of ['write-deploy-values.sh', 'render-overlays.sh']) {
        const result = await execa('shellcheck', ['-f', 'gcc', join(repo, 'deploy/k8s', script)], { reject: false });
        expect(result.stdout, `${script} ${JSON.stringify(variant)}`).toBe('');
      }
    }
  });
});
