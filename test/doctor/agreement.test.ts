// Each cross-file agreement check passes on a consistent fixture and fails,
// naming the file and line, when one place is changed.

import { describe, expect, test } from 'vitest';
import { documentedCiInputsCheck } from '../../src/doctor/agreement/documented-ci-inputs.js';
import { imageRepositoryCheck, resolveCiReference, sameRepository } from '../../src/doctor/agreement/image-repository.js';
import { modelNameCheck } from '../../src/doctor/agreement/model-name.js';
import { commandPort, portAgreementCheck } from '../../src/doctor/agreement/port.js';
import { probeRoutesCheck } from '../../src/doctor/agreement/probe-routes.js';
import { majorMinor, pythonVersionCheck } from '../../src/doctor/agreement/python-version.js';
import { edit, runOn } from './fixture-repo.js';

describe('agreement.port', () => {
  test('passes when settings, Dockerfile, container, probes and Service agree', async () => {
    const result = await runOn(portAgreementCheck);
    expect(result.status, JSON.stringify(result.findings)).toBe('passed');
    expect(result.reason).toMatch(/port 8000 in \d+ places/);
  });

  test('fails on a Dockerfile EXPOSE that differs, with its line', async () => {
    const result = await runOn(portAgreementCheck, edit('Dockerfile', 'EXPOSE 8000', 'EXPOSE 8080'));
    expect(result.status).toBe('failed');
    expect(result.findings).toEqual([expect.objectContaining({ file: 'Dockerfile', line: 5, message: expect.stringContaining('EXPOSE is 8080') })]);
  });

  test('fails on a Service targetPort that differs from the container port', async () => {
    const result = await runOn(portAgreementCheck, edit('deploy/k8s/base/service.yaml', 'targetPort: http', 'targetPort: 9000'));
    expect(result.findings).toEqual([expect.objectContaining({ file: 'deploy/k8s/base/service.yaml', line: 10, message: expect.stringContaining('targetPort is 9000') })]);
  });

  test('fails on a probe naming a port no container declares', async () => {
    const result = await runOn(portAgreementCheck, edit('deploy/k8s/base/model-server.yaml', 'port: http', 'port: web'));
    expect(result.findings[0]).toMatchObject({ file: 'deploy/k8s/base/model-server.yaml', message: expect.stringContaining('"web"') });
  });

  test('reads uvicorn and gunicorn port flags', () => {
    expect(commandPort('["uvicorn", "a:app", "--port", "8001"]')).toBe(8001);
    expect(commandPort('gunicorn -b 0.0.0.0:9000 a:app')).toBe(9000);
    expect(commandPort('uvicorn a:app --port=7000')).toBe(7000);
    expect(commandPort('uvicorn a:app')).toBeUndefined();
  });
});

describe('agreement.probe-routes', () => {
  test('passes when every probe and HEALTHCHECK path is a route (constants resolved)', async () => {
    const result = await runOn(probeRoutesCheck);
    expect(result.status, JSON.stringify(result.findings)).toBe('passed');
  });

  test('fails when a probe path is not a route', async () => {
    const result = await runOn(probeRoutesCheck, edit('deploy/k8s/base/model-server.yaml', 'path: /ready', 'path: /readyz'));
    expect(result.findings).toEqual([expect.objectContaining({ file: 'deploy/k8s/base/model-server.yaml', line: 24, message: expect.stringContaining('/readyz') })]);
  });

  test('reads a route decorator split over several lines', async () => {
    const split = edit('src/svc/serving/app.py', '@app.get("/ready")', '@app.get(\n    "/ready",\n    responses={503: {"description": "not loaded"}},\n)');
    const result = await runOn(probeRoutesCheck, split);
    expect(result.status, JSON.stringify(result.findings)).toBe('passed');
  });

  test('fails when the app is missing', async () => {
    const result = await runOn(probeRoutesCheck, { 'src/svc/serving/app.py': undefined });
    expect(result.status).toBe('failed');
    expect(result.findings[0]!.file).toBe('src/svc/serving/app.py');
  });
});

describe('agreement.image-repository', () => {
  test('passes when CI and the deploy values name one repository (account ID as a variable)', async () => {
    const result = await runOn(imageRepositoryCheck);
    expect(result.status, JSON.stringify(result.findings)).toBe('passed');
  });

  test('fails when the overlay image differs from the CI image', async () => {
    const result = await runOn(imageRepositoryCheck, edit('deploy/k8s/deploy-values.example.env', '/svc:', '/other:'));
    expect(result.findings).toEqual([expect.objectContaining({ file: 'deploy/k8s/deploy-values.example.env', line: 1, message: expect.stringContaining('/other') })]);
  });

  test('fails when the Terraform registry has another name', async () => {
    const terraform = {
      'infra/terraform/variables.tf': 'variable "name" {\n  type    = string\n  default = "svc-models"\n}\n',
      'infra/terraform/main.tf': 'module "registry" {\n  source = "./modules/registry"\n  name   = var.name\n}\n',
      'infra/terraform/modules/registry/main.tf': 'variable "name" {\n  type = string\n}\n\nresource "aws_ecr_repository" "this" {\n  name = var.name\n}\n',
    };
    const result = await runOn(imageRepositoryCheck, terraform);
    expect(result.findings).toEqual([expect.objectContaining({ file: 'infra/terraform/modules/registry/main.tf', message: expect.stringContaining('"svc-models"') })]);
    const agreeing = await runOn(imageRepositoryCheck, { ...terraform, 'infra/terraform/variables.tf': 'variable "name" {\n  default = "svc"\n}\n' });
    expect(agreeing.status).toBe('passed');
  });

  test('placeholders match one path segment; CI expressions become placeholders', () => {
    expect(sameRepository('${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/svc', '1234.dkr.ecr.eu-west-1.amazonaws.com/svc')).toBe(true);
    expect(sameRepository('r-docker.pkg.dev/${P}/svc/svc', 'r-docker.pkg.dev/p/other/svc')).toBe(false);
    expect(resolveCiReference('${{ env.REGISTRY }}/svc', { REGISTRY: '${{ vars.HOST }}' })).toBe('${HOST}/svc');
  });
});

describe('agreement.python-version', () => {
  test('passes when pyproject, ruff, Dockerfile and setup-python agree', async () => {
    const result = await runOn(pythonVersionCheck);
    expect(result.status, JSON.stringify(result.findings)).toBe('passed');
    expect(result.reason).toContain('Python 3.12 in 5 places');
  });

  test('fails on a Dockerfile base image with another Python', async () => {
    const result = await runOn(pythonVersionCheck, edit('Dockerfile', /python:3\.12\.12-slim-trixie$/m, 'python:3.13.9-slim-trixie'));
    expect(result.findings).toEqual([expect.objectContaining({ file: 'Dockerfile', line: 3, message: expect.stringContaining('3.13') })]);
  });

  test('fails on CI setup-python with another version', async () => {
    const result = await runOn(pythonVersionCheck, edit('.github/workflows/ci.yml', 'python-version: "3.12"', 'python-version: "3.11"'));
    expect(result.findings).toEqual([expect.objectContaining({ file: '.github/workflows/ci.yml', line: 20 })]);
  });

  test('reads major.minor from tags and specifiers', () => {
    expect(majorMinor('3.12.12-slim-trixie')).toBe('3.12');
    expect(majorMinor('13.1')).toBeUndefined();
  });
});

describe('agreement.model-name', () => {
  test('passes when settings and manifests name the same model', async () => {
    const result = await runOn(modelNameCheck);
    expect(result.status, JSON.stringify(result.findings)).toBe('passed');
  });

  test('fails on a manifest env with another model name and on an unknown alias', async () => {
    const result = await runOn(modelNameCheck, {
      ...edit('deploy/k8s/base/model-server.yaml', 'value: svc', 'value: svc-v2'),
      MLproject: 'name: svc\n',
      'deploy/k8s/base/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  SVC_MODEL_ALIAS: production\n',
    });
    expect(result.findings.map((finding) => [finding.file, finding.line])).toEqual([
      ['deploy/k8s/base/configmap.yaml', 6],
      ['deploy/k8s/base/model-server.yaml', 21],
    ]);
  });
});

describe('agreement.ci-inputs-documented', () => {
  test('passes when every secret and variable is in the README', async () => {
    const result = await runOn(documentedCiInputsCheck);
    expect(result.status, JSON.stringify(result.findings)).toBe('passed');
  });

  test('fails on an undocumented secret, naming the workflow line', async () => {
    const result = await runOn(documentedCiInputsCheck, edit('README.md', ' and the secret MLFLOW_TOKEN', ''));
    expect(result.findings).toEqual([expect.objectContaining({ file: '.github/workflows/ci.yml', line: 23, message: expect.stringContaining('secret MLFLOW_TOKEN') })]);
  });

  test('GitLab: variables the file defines or the runner predefines need no docs', async () => {
    const gitlab = `variables:
  IMAGE: registry.example.com/svc
deploy:
  script:
    - export TAG=$CI_COMMIT_SHA
    - echo "$IMAGE:$TAG $DEPLOY_TOKEN"
`;
    const result = await runOn(documentedCiInputsCheck, { '.github/workflows/ci.yml': undefined, '.gitlab-ci.yml': gitlab }, { ci: 'gitlab' });
    expect(result.findings).toEqual([expect.objectContaining({ file: '.gitlab-ci.yml', line: 6, message: expect.stringContaining('DEPLOY_TOKEN') })]);
  });
});
