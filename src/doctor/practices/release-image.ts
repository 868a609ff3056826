// Release practice: the image CI pushes to the registry is the image it
// scanned. A job that builds again before pushing ships bytes nobody scanned
// (a base image or a dependency can change between the two builds). Where the
// repository builds the MLflow server image too (deploy/mlflow/Dockerfile),
// that image is scanned and pushed as well: a scan of the service image alone
// leaves the tracking server, which holds the registry, unchecked.

import { outcome } from '../check-result.js';
import { gitlabStages, readCiConfig, runsBefore, type CiJob, type CiPipeline, type CiStep } from '../parse/ci-config.js';
import type { Finding, Rule } from '../types.js';

const buildAction = /^docker\/build-push-action@/;
const pushCommand = /\b(?:docker|podman|buildah)\s+(?:image\s+)?push\b|\bcrane\s+push\b|\bskopeo\s+copy\b/;
const buildCommand = /\b(?:docker|podman)\s+(?:buildx\s+)?build\b|\bbuildah\s+(?:bud|build)\b|\bkaniko\b|\/kaniko\/executor\b/;
const scanAction = /^aquasecurity\/trivy-action@|^anchore\/scan-action@/;
const scanCommand = /\btrivy\s+(?:image|fs)\b|\bgrype\b/;

const isTrue = (value: unknown): boolean => value === true || value === 'true';
const pushes = (step: CiStep): boolean => (step.uses !== undefined && buildAction.test(step.uses) && isTrue(step.with.push)) || (step.run !== undefined && pushCommand.test(step.run));
const builds = (step: CiStep): boolean => (step.uses !== undefined && buildAction.test(step.uses)) || (step.run !== undefined && buildCommand.test(step.run));
const scans = (step: CiStep): boolean => (step.uses !== undefined && scanAction.test(step.uses)) || (step.run !== undefined && scanCommand.test(step.run));

export const scannedImagePushedCheck: Rule = {
  title: 'CI pushes the images it scanned (the service and the MLflow server), never a rebuild',
  applies: (repo) => repo.answers.cloud !== 'local',
  inapplicableReason: () => 'cloud local: CI publishes no image (the release is checked on a kind cluster)',
  async run(repo) {
    const config = await readCiConfig(repo);
    const findings: Finding[] = [...config.errors];
    let pushJobs = 0;
    for (const pipeline of config.pipelines) {
      const stages = config.system === 'gitlab' ? gitlabStages(pipeline) : [];
      for (const job of pipeline.jobs) {
        const push = job.steps.findIndex(pushes);
        if (push < 0) continue;
        pushJobs += 1;
        findings.push(...pushJobFindings(pipeline, job, push, stages));
      }
    }
    if (repo.exists(serverDockerfile) && pushJobs > 0) findings.push(...serverImageFindings(config.system === 'github' ? '.github/workflows/ci.yml' : '.gitlab-ci.yml', config.pipelines));
    if (pushJobs === 0 && findings.length === 0) {
      findings.push({
        file: config.system === 'github' ? '.github/workflows/ci.yml' : '.gitlab-ci.yml',
        message: 'No CI job pushes the service image, although the answers deploy to a cloud registry.',
        fix: 'Push the scanned image from a publish job that needs the scan job (see a freshly generated repository).',
      });
    }
    return outcome(findings);
  },
};

const serverDockerfile = 'deploy/mlflow/Dockerfile';
/** A step's text as written: its shell, or its action inputs. */
const stepText = (step: CiStep): string => step.run ?? JSON.stringify(step.with);
const namesServer = (step: CiStep): boolean => /mlflow/i.test(stepText(step));

/** The MLflow server image is scanned by some step and pushed by some step. */
function serverImageFindings(file: string, pipelines: CiPipeline[]): Finding[] {
  const steps = pipelines.flatMap((pipeline) => pipeline.jobs.flatMap((job) => job.steps));
  const missing = [
    ...(steps.some((step) => scans(step) && namesServer(step)) ? [] : ['scans']),
    ...(steps.some((step) => pushes(step) && namesServer(step)) ? [] : ['pushes']),
  ];
  if (missing.length === 0) return [];
  return [{
    file,
    message: `No CI step ${missing.join(' or ')} the MLflow server image that ${serverDockerfile} builds, although the cluster runs it.`,
    fix: 'Build, scan and push it beside the service image, the scanned archive itself (see a freshly generated repository).',
  }];
}

function pushJobFindings(pipeline: CiPipeline, job: CiJob, push: number, stages: readonly string[]): Finding[] {
  const pushStep = job.steps[push]!;
  const line = pipeline.doc.lineOf(pushStep.path);
  const buildAt = job.steps.slice(0, push + 1).findIndex(builds);
  // Building, scanning and pushing in one job is fine when the scan comes between the build and the push.
  const scannedHere = job.steps.slice(buildAt + 1, push).some(scans);
  if (buildAt >= 0 && !scannedHere) {
    return [{
      file: pipeline.file,
      ...(line !== undefined ? { line } : {}),
      message: `CI job ${job.id} builds the image again and pushes that build, not the image the scan checked.`,
      fix: 'Build once in the scan job, hand the scanned image on as an artifact (docker image save / an OCI archive), and push those bytes after checking their image ID.',
    }];
  }
  if (scannedHere) return [];
  const scanJobs = pipeline.jobs.filter((other) => other !== job && other.steps.some(scans));
  if (scanJobs.some((scan) => runsBefore(pipeline, scan, job, stages))) return [];
  return [{
    file: pipeline.file,
    ...(line !== undefined ? { line } : {}),
    message: `CI job ${job.id} pushes an image that no earlier job scanned for vulnerabilities.`,
    fix: 'Make the publish job depend on (needs:) the job that scans the image, and push the image that job scanned.',
  }];
}
