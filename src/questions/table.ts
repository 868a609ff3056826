// The one declarative questions table. It drives the prompts, the command-line
// flags, validation, defaults, conditional questions, `mlforge schema` and the
// option table in the README (test/unit/readme-options.test.ts keeps it true).

import * as z from 'zod/mini';
import { regionsFor } from './regions.js';
import { freeText, projectName } from './text-rules.js';

export const pythonVersions = ['3.11', '3.12', '3.13'] as const;
export const clouds = ['aws', 'gcp', 'azure', 'local'] as const;
export const cis = ['github', 'gitlab'] as const;
export const servings = ['fastapi', 'kserve'] as const;
export const rollouts = ['rolling', 'canary'] as const;

export interface Answers {
  name: string;
  description: string;
  author: string;
  python: (typeof pythonVersions)[number];
  cloud: (typeof clouds)[number];
  /** null when the cloud has no regions (`local`). */
  region: string | null;
  ci: (typeof cis)[number];
  serving: (typeof servings)[number];
  /** Always `rolling` with kserve (KServe manages its own revisions). */
  rollout: (typeof rollouts)[number];
  monitoring: boolean;
  dvc: boolean;
  gpu: boolean;
}
export type AnswerKey = keyof Answers;
export type PartialAnswers = Partial<Answers>;

/** What defaults may depend on besides earlier answers. */
export interface DefaultHints {
  /** Base name of the target directory, when one was given. */
  directoryName?: string;
}

interface Choice {
  value: string;
  label: string;
}

interface BaseQuestion<K extends AnswerKey> {
  key: K;
  /** Prompt text. */
  message: string;
  /** One line for --help, the README and the JSON Schema. */
  description: string;
  /** Whether the question applies given earlier answers (absent: always). */
  when?: (answers: PartialAnswers) => boolean;
  /** The value recorded when the question does not apply. */
  inapplicable?: Answers[K];
  /** Why it does not apply, for the error when a value is given anyway. */
  inapplicableReason?: string;
  default: (answers: PartialAnswers, hints: DefaultHints) => Answers[K];
  /** Help text for the default when it depends on other answers. */
  defaultText?: string;
}

export interface TextQuestion<K extends AnswerKey = AnswerKey> extends BaseQuestion<K> {
  kind: 'text';
  schema: z.ZodMiniType<string>;
  placeholder: string;
}
export interface SelectQuestion<K extends AnswerKey = AnswerKey> extends BaseQuestion<K> {
  kind: 'select';
  choices: (answers: PartialAnswers) => readonly Choice[];
  /** Lists every value any answers could allow (for help and the schema). */
  allValues: readonly string[];
  /** Help text for the choices when they depend on other answers. */
  choicesText?: string;
}
export interface ConfirmQuestion<K extends AnswerKey = AnswerKey> extends BaseQuestion<K> {
  kind: 'confirm';
}
export type Question = TextQuestion | SelectQuestion | ConfirmQuestion;

const labelled = (values: readonly string[], labels: Record<string, string> = {}): Choice[] =>
  values.map((value) => ({ value, label: labels[value] ?? value }));

const fallbackName = 'ml-service';

/** Directory base name turned into a valid project name, when that is possible. */
function nameFromDirectory(directoryName: string | undefined): string {
  if (directoryName === undefined) return fallbackName;
  const candidate = directoryName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return projectName.safeParse(candidate).success ? candidate : fallbackName;
}

export const questions: readonly Question[] = [
  {
    key: 'name',
    kind: 'text',
    message: 'Project name',
    description: 'Project name: Python distribution, Docker image, Kubernetes and Terraform prefix',
    placeholder: 'name',
    schema: projectName,
    default: (_answers, hints) => nameFromDirectory(hints.directoryName),
    defaultText: 'the target directory name, else ml-service',
  },
  {
    key: 'description',
    kind: 'text',
    message: 'One-line description',
    description: 'One-line description (README, pyproject, image labels)',
    placeholder: 'text',
    schema: freeText('description', 200),
    default: () => 'A machine-learning model service.',
  },
  {
    key: 'author',
    kind: 'text',
    message: 'Author or team',
    description: 'Author or owning team (pyproject authors, model card)',
    placeholder: 'text',
    schema: freeText('author', 100),
    default: (answers) => `${answers.name ?? fallbackName} maintainers`,
    defaultText: '"<name> maintainers"',
  },
  {
    key: 'python',
    kind: 'select',
    message: 'Python version',
    description: 'Python version of the service, its image and CI',
    choices: () => labelled(pythonVersions),
    allValues: pythonVersions,
    default: () => '3.12',
  },
  {
    key: 'cloud',
    kind: 'select',
    message: 'Cloud',
    description: 'Where it runs: registry, cluster, storage and Terraform',
    choices: () =>
      labelled(clouds, {
        aws: 'AWS (ECR, EKS, S3, RDS)',
        gcp: 'Google Cloud (Artifact Registry, GKE, GCS, Cloud SQL)',
        azure: 'Azure (ACR, AKS, Blob Storage, PostgreSQL Flexible Server)',
        local: 'Local only (kind cluster, no Terraform)',
      }),
    allValues: clouds,
    default: () => 'aws',
  },
  {
    key: 'region',
    kind: 'select',
    message: 'Region',
    description: 'Cloud region, by cloud (not used with local)',
    when: (answers) => regionsFor(answers.cloud).length > 0,
    inapplicable: null,
    inapplicableReason: 'it does not apply when cloud is local',
    choices: (answers) => labelled(regionsFor(answers.cloud)),
    allValues: [...regionsFor('aws'), ...regionsFor('gcp'), ...regionsFor('azure')],
    choicesText: (['aws', 'gcp', 'azure'] as const).map((cloud) => `${cloud}: ${regionsFor(cloud).join(', ')}`).join('; '),
    default: (answers) => regionsFor(answers.cloud)[0] ?? null,
    defaultText: 'us-east-1 (aws), us-central1 (gcp), eastus (azure)',
  },
  {
    key: 'ci',
    kind: 'select',
    message: 'CI/CD system',
    description: 'CI/CD system',
    choices: () => labelled(cis, { github: 'GitHub Actions', gitlab: 'GitLab CI' }),
    allValues: cis,
    default: () => 'github',
  },
  {
    key: 'serving',
    kind: 'select',
    message: 'Serving on Kubernetes',
    description: 'Serving on Kubernetes: a FastAPI Deployment or a KServe InferenceService',
    choices: () =>
      labelled(servings, {
        fastapi: 'FastAPI Deployment (Service, HPA, Ingress)',
        kserve: 'KServe InferenceService (custom predictor)',
      }),
    allValues: servings,
    default: () => 'fastapi',
  },
  {
    key: 'rollout',
    kind: 'select',
    message: 'Rollout strategy',
    description: 'Rollout strategy; canary (Argo Rollouts) needs --serving fastapi',
    when: (answers) => answers.serving !== 'kserve',
    inapplicable: 'rolling',
    inapplicableReason: 'canary rollouts need serving fastapi (KServe manages its own revisions)',
    choices: () =>
      labelled(rollouts, {
        rolling: 'Rolling update (Deployment)',
        canary: 'Canary with automated analysis (Argo Rollouts)',
      }),
    allValues: rollouts,
    default: () => 'rolling',
  },
  {
    key: 'monitoring',
    kind: 'confirm',
    message: 'Add monitoring (Prometheus metrics, alerts, Grafana dashboard, drift CronJob)?',
    description: 'Prometheus ServiceMonitor and alerts, Grafana dashboard, local Prometheus/Grafana, in-cluster drift CronJob',
    default: () => true,
  },
  {
    key: 'dvc',
    kind: 'confirm',
    message: 'Version data with DVC?',
    description: 'DVC pipeline and a remote in the cloud’s object storage',
    default: () => false,
  },
  {
    key: 'gpu',
    kind: 'confirm',
    message: 'Serve on GPUs?',
    description: 'CUDA runtime image and a GPU node pool',
    default: () => false,
  },
];

export function questionFor(key: string): Question | undefined {
  return questions.find((question) => question.key === key);
}

export const answerKeys = questions.map((question) => question.key);

/** Command-line flag of a question: `--name`, and `--no-monitoring` for the negated form. */
export function flagOf(question: Question): string {
  return `--${question.key}`;
}
