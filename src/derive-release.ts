// How the model server is released and scaled, derived once from the answers
// and read by the Dockerfile, the manifests, the Terraform GPU pool and the
// doctor rules that check them (src/doctor/practices/k8s-release.ts).

import type { Answers } from './questions/table.js';

export const environments = ['staging', 'prod'] as const;
export type Environment = (typeof environments)[number];

export interface EnvironmentScale {
  /** HorizontalPodAutoscaler (or InferenceService predictor) bounds: the only place the replica count is set. */
  minReplicas: number;
  maxReplicas: number;
  /**
   * Most model-server pods that exist at once: maxReplicas plus the extra pods of a release. With
   * --gpu it is also the size of the GPU node pool Terraform creates (one GPU per node and per pod).
   */
  peakPods: number;
}

export interface Release {
  /** The pod's preStop sleep: the endpoint is removed from the Service and ingress before SIGTERM. */
  preStopSleepSeconds: number;
  /** uvicorn --timeout-graceful-shutdown: in-flight requests may finish after SIGTERM. */
  gracefulShutdownSeconds: number;
  /** Time left for the lifespan shutdown and process exit before SIGKILL. */
  shutdownMarginSeconds: number;
  /** terminationGracePeriodSeconds: preStop sleep + graceful shutdown + margin. */
  terminationGracePeriodSeconds: number;
  /** Extra pods a rolling update (Deployment, KServe predictor) adds; none is taken away first. */
  maxSurge: number;
  /** The scale of the base manifests and of each overlay. */
  scale: Record<'base' | Environment, EnvironmentScale>;
  /** Requests the canary pods must have served in the analysis window, or the analysis fails. */
  canaryMinRequests: number;
  /** Window of the canary analysis queries (PromQL range). */
  canaryWindow: string;
}

type ReleaseAnswers = Pick<Answers, 'gpu' | 'rollout' | 'serving'>;

/** Pods beyond maxReplicas while a release runs at full scale (the manifests' maxSurge for a rolling update). */
export function releaseExtraPods(answers: ReleaseAnswers, maxReplicas: number, maxSurge: number): number {
  // An Argo Rollouts canary with traffic routing keeps the stable ReplicaSet at full scale until
  // the canary is promoted to 100% and then for scaleDownDelaySeconds: twice the replicas at the peak.
  if (answers.serving === 'fastapi' && answers.rollout === 'canary') return maxReplicas;
  return maxSurge;
}

export function deriveRelease(answers: ReleaseAnswers): Release {
  const preStopSleepSeconds = 10;
  const gracefulShutdownSeconds = 20;
  const shutdownMarginSeconds = 5;
  const maxSurge = 1;
  // GPU pods each ask one GPU and the GPU pool's machines have one GPU each: the bounds stay small so
  // the pool (sized below from the same numbers) fits every pod of a release.
  const bounds: Record<'base' | Environment, [number, number]> = answers.gpu
    ? { base: [2, 2], staging: [2, 2], prod: [2, 3] }
    : { base: [2, 3], staging: [2, 3], prod: [3, 10] };
  const scaleOf = ([minReplicas, maxReplicas]: [number, number]): EnvironmentScale => {
    const peakPods = maxReplicas + releaseExtraPods(answers, maxReplicas, maxSurge);
    return { minReplicas, maxReplicas, peakPods };
  };
  return {
    preStopSleepSeconds,
    gracefulShutdownSeconds,
    shutdownMarginSeconds,
    terminationGracePeriodSeconds: preStopSleepSeconds + gracefulShutdownSeconds + shutdownMarginSeconds,
    maxSurge,
    scale: { base: scaleOf(bounds.base), staging: scaleOf(bounds.staging), prod: scaleOf(bounds.prod) },
    canaryMinRequests: 20,
    canaryWindow: '2m',
  };
}
