// Values derived from the answers, computed once and handed to every template,
// so the Dockerfile, the app, the manifests, the workflows and the Terraform
// cannot disagree on a port, a path, an image or a version.

import { FreeText } from './escape/free-text.js';
import { deriveRelease } from './derive-release.js';
import { composeRequirements } from './plan/mlflow-server-lock.js';
import { composeLock, type LockReader, type LockStore } from './plan/uv-lock.js';
import { toAlphanumeric, toEnvPrefix, toPascalCase, toPythonPackageName, toShortName, toTitle } from './naming.js';
import type { Answers } from './questions/table.js';

/** The port the service listens on (the image, the manifests, `make serve`, the printed next steps). */
export const servicePort = 8000;

/** Prometheus metric names the app exports and the dashboards, alerts, canary analysis and doctor read. */
export const metricNames = {
  requests: 'http_requests_total',
  latency: 'http_request_duration_seconds',
  predictions: 'model_predictions_total',
  predictionValue: 'model_prediction_value',
  modelInfo: 'model_info',
} as const;

/** Contents of templates/versions/*.yml, keyed by file name. */
/** Paths of the model server's HTTP API (templates, tests and doctor). */
export const servicePaths = { health: '/health', ready: '/ready', predict: '/predict', metrics: '/metrics', version: '/version' } as const;

/**
 * API keys that the predict path requires in the cluster: the Secret the operator creates (one
 * key per line under `file`), mounted read-only at `mountDir`; the server reads
 * `{envPrefix}API_KEYS_FILE` = `path`.
 */
export function apiKeysFor(name: string) {
  const mountDir = `/etc/${name}/api-keys`;
  return { secret: `${name}-api-keys`, file: 'keys', mountDir, path: `${mountDir}/keys` };
}

/**
 * In-cluster training (deploy/k8s/base/train-cronjob.yaml) and the first-champion bootstrap
 * (`script`). The training pods need no cloud identity: MLflow proxies artifacts
 * (--serve-artifacts), so they reach only the tracking server. The bootstrap applies the objects
 * labelled `phaseLabel: phase` (MLflow, the shared settings, the network policies, the training
 * jobs) before the model server, which is not ready until a champion exists. `steps`: the three
 * suspended CronJobs whose Jobs `script --retrain` runs in order (train, gate, promote), so CI
 * retrains where the registry is; `cronJob`/`container` are the first of them.
 */
export function trainingFor(name: string) {
  const step = (key: 'train' | 'evaluate' | 'promote') => ({ key, cronJob: `${name}-${key}`, container: key });
  return {
    cronJob: `${name}-train`,
    container: 'train',
    serviceAccount: `${name}-training`,
    phaseLabel: 'deploy-phase',
    phase: 'registry',
    script: 'deploy/k8s/bootstrap-champion.sh',
    steps: { train: step('train'), evaluate: step('evaluate'), promote: step('promote') },
  };
}

/** UID/GID of the non-root user in the images and the pod security contexts. */
const runAsUser = 10001;
/** Where training writes the model and the reference data profile when tracking is off. */
const artifactsDir = 'artifacts';

/** What each training CronJob runs and why: the items of train-cronjob.yaml's `#each`. */
const trainingStepRoles = {
  train: 'Trains a candidate and registers it as the challenger; while no version is champion, a candidate that passes the quality gate becomes the first champion (settings.bootstrap_champion).',
  evaluate: 'The quality gate: compares the challenger with the champion, tags the verdict on the challenger, and fails (exit 1) when it may not replace it.',
  promote: 'Moves champion to the challenger that passed the gate; the version it replaces keeps previous_champion for the rollback.',
} as const;

/**
 * The training CronJobs as template items: `#each` changes the context, so each item carries
 * every value its CronJob reads (one pod spec, three commands).
 */
function trainingJobsFor(name: string, packageName: string, cloud: string) {
  const training = trainingFor(name);
  const auth = mlflowAuthFor(name);
  return Object.values(training.steps).map((step) => ({
    ...step,
    name,
    module: `${packageName}.${step.key}`,
    role: trainingStepRoles[step.key],
    isTrain: step.key === 'train',
    isLocal: cloud === 'local',
    serviceAccount: training.serviceAccount,
    phaseLabel: training.phaseLabel,
    phase: training.phase,
    imageName: name,
    usersSecret: auth.usersSecret,
    trainingUser: auth.users.training,
    envPrefix: toEnvPrefix(name),
    runAsUser,
    artifactsDir,
  }));
}

/**
 * MLflow's own authentication (deploy/mlflow/auth_server.py, components/mlflow). The server's
 * Secret holds the admin password and the key that signs MLflow's forms; the users' Secret has
 * one key per MLflow user, its password, mounted into the server at `usersDir` (the server
 * creates the users) and read by each client pod for its own user only. `users`: training
 * registers and promotes (it creates the model), serving and drift only read, CI only looks
 * versions up (its password is also a CI secret, `ciSecret`).
 */
export function mlflowAuthFor(name: string) {
  return {
    serverSecret: 'mlflow-auth',
    adminPasswordKey: 'admin-password',
    formKeyKey: 'flask-secret-key',
    usersSecret: 'mlflow-users',
    usersDir: '/etc/mlflow/users',
    entrypoint: '/opt/mlflow/auth_server.py',
    users: { training: `${name}-training`, serving: `${name}-serving`, ci: `${name}-ci` },
    ciSecret: 'MLFLOW_CI_PASSWORD',
  };
}

/**
 * The Secrets the External Secrets Operator copies into the namespace from the
 * cloud's secret store (AWS Secrets Manager, Google Secret Manager, Azure Key
 * Vault), where Terraform writes them. Each remote secret is a JSON object whose
 * keys become the Secret's keys; its name is `<name>-<environment>-<Secret>`
 * (Terraform: "${local.prefix}-<Secret>"), `<name>-<environment>-api-keys` for the API keys. A store signs in as the workload
 * identity of the pods that use its Secrets, so MLflow's identity reads MLflow's
 * credentials and the model server's identity reads only the API keys.
 */
/** The MLflow tracking server's Kubernetes service account. */
const mlflowServiceAccount = 'mlflow';

export function cloudSecretsFor(answers: Pick<Answers, 'name' | 'cloud' | 'region'>) {
  const { name, cloud } = answers;
  const auth = mlflowAuthFor(name);
  const refreshInterval = '1h';
  // What a store's provider block needs (components/cloud-secrets/secret-stores.yaml).
  const provider = {
    aws: cloud === 'aws' ? { region: answers.region } : undefined,
    gcp: cloud === 'gcp',
    azure: cloud === 'azure',
  };
  // MLflow's store and Secrets are applied with the registry phase (trainingFor), before the first
  // champion is trained; the model server's API keys with the rest of the overlay.
  const { phaseLabel, phase } = trainingFor(name);
  const registryPhase = { phaseLabel, phase };
  const stores = {
    mlflow: { name: 'mlflow-secrets', serviceAccount: mlflowServiceAccount, ...provider, ...registryPhase },
    serving: { name: `${name}-secrets`, serviceAccount: name, ...provider },
  };
  const secrets = [
    { name: 'mlflow-backend', remote: 'mlflow-backend', store: stores.mlflow.name, keys: ['backend-store-uri', 'artifacts-destination'], ...registryPhase },
    { name: auth.serverSecret, remote: auth.serverSecret, store: stores.mlflow.name, keys: [auth.adminPasswordKey, auth.formKeyKey], ...registryPhase },
    { name: auth.usersSecret, remote: auth.usersSecret, store: stores.mlflow.name, keys: Object.values(auth.users), ...registryPhase },
    { name: apiKeysFor(name).secret, remote: 'api-keys', store: stores.serving.name, keys: [apiKeysFor(name).file] },
  ];
  const forEnvironment = (environment: string) =>
    secrets.map((secret) => {
      const remoteKey = `${name}-${environment}-${secret.remote}`;
      return { ...secret, refreshInterval, remoteKey, data: secret.keys.map((key) => ({ secretKey: key, remoteKey })) };
    });
  return {
    stores: Object.values(stores),
    secrets,
    /** How often the operator re-reads the store (a rotated value arrives within it). */
    refreshInterval,
    staging: forEnvironment('staging'),
    prod: forEnvironment('prod'),
  };
}

export type Versions = Record<string, Record<string, unknown>>;

export interface Registry {
  kind: 'ecr' | 'artifact-registry' | 'acr' | 'kind';
  /** Registry host; `${VAR}` parts are CI variables (shell syntax, set as env in every CI job). */
  host: string;
  /** Image path under the host. */
  path: string;
  /** host/path: the image reference CI pushes and CD deploys (without tag or digest). */
  image: string;
  /** CI variables the host or path use. */
  variables: string[];
}

/** Where `image` is pushed; on Artifact Registry, into the repository named `repository` (one per service). */
function registryFor(answers: Answers, repository: string, image: string): Registry {
  const make = (kind: Registry['kind'], host: string, path: string, variables: string[]): Registry => ({
    kind,
    host,
    path,
    image: `${host}/${path}`,
    variables,
  });
  switch (answers.cloud) {
    case 'aws':
      return make('ecr', `\${AWS_ACCOUNT_ID}.dkr.ecr.${answers.region}.amazonaws.com`, image, ['AWS_ACCOUNT_ID']);
    case 'gcp':
      return make('artifact-registry', `${answers.region}-docker.pkg.dev`, `\${GCP_PROJECT_ID}/${repository}/${image}`, [
        'GCP_PROJECT_ID',
      ]);
    case 'azure':
      // ACR names are global: Terraform adds a hash of the subscription (see cloudNames.acrStem),
      // so CI reads the name from a variable, like the AWS account ID.
      return make('acr', `\${AZURE_ACR_NAME}.azurecr.io`, image, ['AZURE_ACR_NAME']);
    case 'local':
      return make('kind', 'localhost', image, []);
  }
}

function mlflowServerContext(answers: Answers, versions: Versions) {
  const server = (versions.service?.mlflowServer ?? {}) as { mlflow?: string; drivers?: Record<string, string[]> };
  const pythons = Object.keys((versions.python?.images ?? {}) as Record<string, string>).sort();
  return {
    mlflow: server.mlflow,
    drivers: server.drivers?.[answers.cloud] ?? [],
    /** The drivers as README text: `a`, `b`. */
    driverList: (server.drivers?.[answers.cloud] ?? []).map((name) => `\`${name}\``).join(', '),
    /** The lowest supported Python: the lock is universal from there up, so any image Python installs it. */
    pythonFloor: pythons[0],
    requirements: composeRequirements(versions.locks as LockStore | LockReader | undefined, answers.cloud),
  };
}

export function deriveContext(answers: Answers, versions: Versions, mlforgeVersion: string) {
  const packageName = toPythonPackageName(answers.name);
  const pythonNoDot = answers.python.replace('.', '');
  const pythonImages = (versions.python?.images ?? {}) as Record<string, string>;
  const pythonImage = pythonImages[answers.python];
  if (pythonImage === undefined) throw new Error(`templates/versions/python.yml has no image for Python ${answers.python}`);
  const namespace = answers.name;
  const mlflowPort = 5000;
  return {
    ...answers,
    description: new FreeText(answers.description),
    author: new FreeText(answers.author),
    mlforgeVersion,
    versions,
    /** The committed uv.lock of the repository's dependency set (src/plan/uv-lock.ts). */
    uvLock: composeLock(versions.locks as LockStore | LockReader | undefined, answers),
    /** The MLflow server image (deploy/mlflow): its direct requirements and their hashed closure. */
    mlflowServer: mlflowServerContext(answers, versions),

    isAws: answers.cloud === 'aws',
    isGcp: answers.cloud === 'gcp',
    isAzure: answers.cloud === 'azure',
    isLocal: answers.cloud === 'local',
    hasTerraform: answers.cloud !== 'local',
    isGithub: answers.ci === 'github',
    isGitlab: answers.ci === 'gitlab',
    isFastapi: answers.serving === 'fastapi',
    isKserve: answers.serving === 'kserve',
    isCanary: answers.rollout === 'canary',

    packageName,
    envPrefix: toEnvPrefix(answers.name),
    title: toTitle(answers.name),
    pascalName: toPascalCase(answers.name),

    pythonNoDot,
    pythonTarget: `py${pythonNoDot}`,
    pythonImage,

    /** `uvicorn` import string of the FastAPI app. */
    appImport: `${packageName}.serving.app:app`,
    /** Where training writes the model and the reference data profile when tracking is off. */
    artifactsDir,
    /** Prometheus metric names the app exports and the dashboards, alerts and canary analysis read. */
    metrics: metricNames,

    port: servicePort,
    healthPath: servicePaths.health,
    readyPath: servicePaths.ready,
    predictPath: servicePaths.predict,
    metricsPath: servicePaths.metrics,
    versionPath: servicePaths.version,
    /** Replica bounds, GPU pool size, shutdown timings and canary thresholds (src/derive-release.ts). */
    release: deriveRelease(answers),
    /** UID/GID of the non-root user in the image and the pod security context. */
    runAsUser,

    imageName: answers.name,
    registry: registryFor(answers, answers.name, answers.name),
    /** The MLflow server image (deploy/mlflow): beside the service image, in the same registry. */
    mlflowImageName: `${answers.name}-mlflow`,
    mlflowRegistry: registryFor(answers, answers.name, `${answers.name}-mlflow`),

    modelName: answers.name,
    championAlias: 'champion',
    challengerAlias: 'challenger',
    mlflowPort,
    /**
     * Host headers the in-cluster MLflow server accepts (its DNS-rebinding protection): the
     * Service's names, pod IPs (the kubelet's probes), and loopback on any port, which is
     * what `kubectl port-forward` clients send (CI's champion lookup, the first-champion step).
     */
    mlflowAllowedHosts: [
      'mlflow', `mlflow:${mlflowPort}`, `mlflow.${namespace}.svc`, `mlflow.${namespace}.svc:${mlflowPort}`, `mlflow.${namespace}.svc.cluster.local:${mlflowPort}`,
      'localhost', 'localhost:*', '127.0.0.1', '127.0.0.1:*', '10.*', '172.*', '192.168.*',
    ].join(','),

    namespace,
    serviceAccount: answers.name,
    /** The Secret, mount and file of the API keys that the predict path requires (apiKeysFor). */
    apiKeys: apiKeysFor(answers.name),
    /** In-cluster training and the first-champion bootstrap (trainingFor). */
    training: trainingFor(answers.name),
    /** The three training CronJobs, one item each (trainingJobsFor). */
    trainingJobs: trainingJobsFor(answers.name, packageName, answers.cloud),
    /** MLflow's authentication: its Secrets and users (mlflowAuthFor). */
    mlflowAuth: mlflowAuthFor(answers.name),
    /** Secrets copied from the cloud's secret store by the External Secrets Operator (cloudSecretsFor). */
    cloudSecrets: cloudSecretsFor(answers),
    /** The MLflow tracking server's own service account (its cloud identity may write artifacts). */
    mlflowServiceAccount,
    /** Kubernetes group of the CI deploy identity, for RBAC the cloud's namespace policy lacks (EKS access entry). */
    ciKubernetesGroup: `${answers.name}-ci`,
    /**
     * Stems of cloud resource names with short limits: the name when it fits,
     * else a prefix and a hash of the full name (never a plain prefix). Names
     * that are global add the account / project / subscription identity in
     * Terraform, so two teams who pick the same project name do not collide.
     */
    cloudNames: {
      /** At most 30: bucket names add `-<environment>-<purpose>-<account or project part>` (63 in all). */
      bucketStem: toShortName(answers.name, 30),
      /** At most 17: GKE cluster and GCP service-account IDs (30) add `-<env>-<purpose>`. */
      gcpShort: toShortName(answers.name, 17),
      /** At most 24: the GCP state bucket sits between the project ID (30) and `-tfstate`. */
      gcpStateStem: toShortName(answers.name, 24),
      /** At most 12 alphanumerics: Azure storage accounts and Key Vaults (24) add the environment and a subscription hash. */
      azureCompact: toAlphanumeric(answers.name, '', 12),
      /** At most 42 alphanumerics: the container registry (5-50) adds an 8-character subscription hash. */
      acrStem: toAlphanumeric(answers.name, 'acr', 42),
    },
  };
}

export type RenderContext = ReturnType<typeof deriveContext>;
