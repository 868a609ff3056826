// On a cloud, each environment's MLflow is private to its cluster, so the ML
// lifecycle runs there too: CI's retraining submits the train, gate and promote
// Jobs (the three suspended CronJobs) through the Kubernetes API
// (`<training.script> <env> --retrain`) instead of training or promoting on a
// hosted runner, which cannot reach the registry. Each environment's registry
// numbers its own versions, so no deploy of one environment pins a version
// number handed over from another's. Names come from the plan doctor
// re-derives from .mlforge.yml (context.training, src/derive.ts).

import { outcome } from '../check-result.js';
import { baseObjects } from '../parse/k8s-manifests.js';
import { readCiConfig, type CiJob, type CiPipeline, type CiStep } from '../parse/ci-config.js';
import { asArray, asRecord, getIn } from '../parse/yaml-file.js';
import type { Finding, RepoView, Rule } from '../types.js';
import { moduleCommandFinding } from './first-champion.js';

const overlays = ['staging', 'prod'] as const;
const deployAction = './.github/actions/deploy';

/** Whether a GitLab job or a GitHub workflow runs on a schedule. */
function scheduled(pipeline: CiPipeline, job: CiJob, system: 'github' | 'gitlab'): boolean {
  if (system === 'github') return pipeline.triggers.includes('schedule');
  return asArray(job.raw.rules).some((rule) => /CI_PIPELINE_SOURCE\s*==\s*["']schedule["']/.test(String(asRecord(rule)?.if ?? '')));
}

/** The lifecycle commands a step runs on the runner itself (make targets or the package's modules). */
function runnerLifecycle(step: CiStep, packageName: string): string[] {
  const text = step.run ?? '';
  const found = new Set<string>();
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    for (const match of line.matchAll(/\bmake\b(?:\s+--?[\w-]+)*((?:\s+[\w-]+)+)/g)) {
      for (const target of match[1]!.trim().split(/\s+/)) if (['train', 'evaluate', 'promote', 'rollback'].includes(target)) found.add(`make ${target}`);
    }
    for (const match of line.matchAll(new RegExp(`-m\\s+${packageName.replace(/[.]/g, '\\.')}\\.(train|evaluate|promote|rollback)\\b`, 'g'))) found.add(`python -m ${packageName}.${match[1]}`);
  }
  return [...found];
}

/** The overlay a retraining step targets, or undefined when the step does not retrain in the cluster. */
function retrainTarget(job: CiJob, step: CiStep, script: string, actionRetrains: boolean): string | undefined {
  if (step.uses === deployAction) return actionRetrains && String(step.with.retrain) === 'true' ? String(step.with.overlay ?? '') : undefined;
  const text = step.run ?? '';
  if (!text.includes(script) || !/--retrain\b/.test(text)) return undefined;
  if (job.env.RETRAIN !== undefined && job.env.RETRAIN !== 'true') return undefined;
  return job.env.OVERLAY ?? /\b(staging|prod)\b\s+--retrain\b/.exec(text)?.[1];
}

/** GitLab: whether a line of the job's script writes MODEL_VERSION into its dotenv report. */
function dotenvModelVersion(job: CiJob): boolean {
  const dotenv = getIn(job.raw, ['artifacts', 'reports', 'dotenv']);
  const files = (typeof dotenv === 'string' ? [dotenv] : asArray(dotenv).map(String)).map((file) => file.replace(/[.]/g, '\\.'));
  if (files.length === 0) return false;
  const writes = new RegExp(`>>?\\s*"?(?:${files.join('|')})"?\\s*$`);
  return job.steps.some((step) => (step.run ?? '').split('\n').some((line) => /(?:^|[^\w])MODEL_VERSION=/.test(line) && writes.test(line)));
}

async function cronJobFindings(repo: RepoView): Promise<Finding[]> {
  const { context } = await repo.expected();
  const findings: Finding[] = [];
  const { objects, errors } = await baseObjects(repo);
  findings.push(...errors);
  for (const step of Object.values(context.training.steps)) {
    const cronJob = objects.find((object) => object.kind === 'CronJob' && object.name === step.cronJob);
    const module = `${context.packageName}.${step.key}`;
    if (!cronJob) {
      findings.push({ file: 'deploy/k8s/base', message: `No CronJob ${step.cronJob}: ${context.training.script} --retrain has no ${step.key} Job to run in the cluster.`, fix: 'Restore deploy/k8s/base/train-cronjob.yaml (regenerate with mlforge update).' });
      continue;
    }
    const wrong = moduleCommandFinding(cronJob, step.container, module, `Run \`python -m ${module}\` there.`);
    if (wrong) findings.push(wrong);
    if (step.key !== 'train' && getIn(cronJob.doc.data, ['spec', 'suspend']) !== true) {
      findings.push({ file: cronJob.doc.file, line: cronJob.doc.lineOf(['spec']), message: `CronJob ${step.cronJob} is not suspended: it would ${step.key === 'promote' ? 'promote' : 'gate'} on its own schedule, not after a training Job.`, fix: 'Set spec.suspend: true; its Jobs run from the retraining.' });
    }
    if (asRecord(getIn(cronJob.doc.data, ['metadata', 'labels']))?.[context.training.phaseLabel] !== context.training.phase) {
      findings.push({ file: cronJob.doc.file, line: cronJob.doc.lineOf(['metadata']), message: `CronJob ${step.cronJob} lacks the label ${context.training.phaseLabel}: ${context.training.phase}, so the retraining runs a Job from a CronJob it has not applied (or an older one).`, fix: `Add ${context.training.phaseLabel}: ${context.training.phase} to its metadata.labels.` });
    }
  }
  return findings;
}

export const retrainInClusterCheck: Rule = {
  title: "Retraining runs in each environment's cluster, and each environment pins versions of its own registry",
  applies: (repo) => repo.answers.cloud !== 'local',
  inapplicableReason: () => 'cloud local: CI retrains against the MLflow server MLFLOW_TRACKING_URI names, and kind has one registry',
  async run(repo) {
    const { context } = await repo.expected();
    const { training } = context;
    const findings = await cronJobFindings(repo);
    const config = await readCiConfig(repo);
    findings.push(...config.errors);
    const action = config.actions.find((entry) => entry.file === `${deployAction.slice(2)}/action.yml`);
    const actionRetrains = action !== undefined && action.jobs.some((job) => job.steps.some((step) => (step.run ?? '').includes(training.script) && /--retrain\b/.test(step.run ?? '')));
    const retrained = new Set<string>();
    for (const pipeline of config.pipelines) {
      for (const job of pipeline.jobs) {
        for (const step of job.steps) {
          const commands = runnerLifecycle(step, context.packageName);
          const promotes = commands.filter((command) => /promote|rollback/.test(command));
          const trains = commands.filter((command) => /train|evaluate/.test(command));
          if (promotes.length > 0 || (trains.length > 0 && scheduled(pipeline, job, config.system))) {
            findings.push({
              file: pipeline.file,
              line: pipeline.doc.lineOf(step.path),
              message: `Job ${job.id} runs ${commands.join(', ')} on the CI runner: the environments' MLflow servers are private to their clusters, so the runner cannot reach the registry${promotes.length > 0 ? ' it would promote in' : ' it would register in'}.`,
              fix: `Retrain in the cluster: run ${training.script} <env> --retrain (the train, gate and promote Jobs) from CI, as a freshly generated repository does.`,
            });
          }
          const target = retrainTarget(job, step, training.script, actionRetrains);
          if (target && scheduled(pipeline, job, config.system)) retrained.add(target);
          // GitHub: a deploy whose model version comes from another job's output.
          if (step.uses === deployAction && /needs\.[\w-]+\.outputs\.model-version/.test(String(step.with['model-version'] ?? ''))) {
            findings.push({
              file: pipeline.file,
              line: pipeline.doc.lineOf(step.path),
              message: `Job ${job.id} deploys ${String(step.with.overlay)} with the model version another job resolved (${String(step.with['model-version'])}): each environment's registry numbers its own versions, so that number names a different model there, or none.`,
              fix: "Leave model-version empty (the environment's own champion) or take it from an input meant for this environment.",
            });
          }
        }
        if (config.system === 'gitlab' && dotenvModelVersion(job)) {
          findings.push({
            file: pipeline.file,
            line: pipeline.doc.lineOf(job.path),
            message: `Job ${job.id} writes MODEL_VERSION into its dotenv report, so the jobs that need it (the next environment's deploy) pin a version number of another registry.`,
            fix: 'Hand on the image digests and commit only; each environment resolves its own champion (or its own STAGING_/PROD_MODEL_VERSION).',
          });
        }
      }
    }
    for (const overlay of overlays) {
      if (!retrained.has(overlay)) {
        findings.push({
          file: config.system === 'github' ? '.github/workflows/train.yml' : '.gitlab-ci.yml',
          message: `No scheduled CI job retrains ${overlay} in its cluster (${training.script} ${overlay} --retrain${config.system === 'github' ? `, or the deploy action with overlay ${overlay} and retrain "true"` : ', or a job with OVERLAY and RETRAIN "true"'}): its model never gets past its first champion.`,
          fix: 'Add the retraining job for that environment, as a freshly generated repository has it.',
        });
      }
    }
    return outcome(findings, `CronJobs ${Object.values(training.steps).map((step) => step.cronJob).join(', ')}; retraining in ${[...retrained].sort().join(', ') || 'no environment'}`);
  },
};
