// The cluster's MLflow authenticates its clients, and each client signs in as
// its own user: the MLflow Deployment runs deploy/mlflow/auth_server.py (or
// MLflow's basic-auth app) with the users' Secret mounted; every pod that
// reads the shared settings (MLFLOW_TRACKING_URI) names an MLflow user and
// takes its password from that Secret; the model server and the drift job use
// the read-only serving user, never the training user that owns the model.
// Names come from the plan doctor re-derives from .mlforge.yml
// (context.mlflowAuth, src/derive.ts), as the templates do.

import { outcome } from '../check-result.js';
import { baseObjects, containersOf, type K8sContainer } from '../parse/k8s-manifests.js';
import { asArray, asRecord, getIn } from '../parse/yaml-file.js';
import type { Finding, Rule } from '../types.js';
import { servingKinds } from './predict-exposure.js';

/** The env entry `name` of a container, if any. */
function envEntry(container: K8sContainer, name: string): Record<string, unknown> | undefined {
  return asArray(container.spec.env).map(asRecord).find((entry) => entry?.name === name);
}

/** Whether the container reads the ConfigMap `configMap` through envFrom. */
function readsSettings(container: K8sContainer, configMap: string): boolean {
  return asArray(container.spec.envFrom).some((source) => asRecord(asRecord(source)?.configMapRef)?.name === configMap);
}

export const mlflowAuthCheck: Rule = {
  title: "The cluster's MLflow authenticates its clients; the model server reads as a user that cannot write",
  applies: () => true,
  async run(repo) {
    const { context } = await repo.expected();
    const auth = context.mlflowAuth;
    const findings: Finding[] = [];
    const { objects, errors } = await baseObjects(repo);
    findings.push(...errors);
    const containers = containersOf(objects);

    const server = containers.find((entry) => entry.object.kind === 'Deployment' && entry.object.name === 'mlflow' && entry.name === 'mlflow');
    if (server) {
      const command = [...asArray(server.spec.command), ...asArray(server.spec.args)].map(String);
      const authenticated = command.includes(auth.entrypoint) || command.join(' ').match(/--app-name[= ]basic-auth\b/) !== null;
      const file = server.object.doc.file;
      if (!authenticated) {
        findings.push({
          file,
          line: server.object.doc.lineOf([...server.path, 'command']),
          message: `MLflow runs without authentication (${JSON.stringify(command.slice(0, 3))}…): anything that reaches it in the cluster can register versions, move the ${context.championAlias} alias and overwrite artifacts.`,
          fix: `Run \`python ${auth.entrypoint}\` with the server's arguments (it turns on MLflow's basic-auth app), as mlforge generates it.`,
        });
      } else {
        const mounted = asArray(server.spec.volumeMounts).map(asRecord).find((mount) => mount?.mountPath === auth.usersDir);
        const volume = asArray(getIn(server.object.doc.data, [...server.path.slice(0, -2), 'volumes'])).map(asRecord).find((entry) => entry?.name === mounted?.name);
        if (asRecord(volume?.secret)?.secretName !== auth.usersSecret) {
          findings.push({ file, line: server.object.doc.lineOf([...server.path]), message: `The MLflow server does not mount the Secret ${auth.usersSecret} at ${auth.usersDir}: it has no users but its admin, so every client is refused.`, fix: `Mount the Secret ${auth.usersSecret} read-only at ${auth.usersDir}.` });
        }
      }
    }

    const configMap = `${context.name}-config`;
    const readOnly = new Set([auth.users.serving, auth.users.ci]);
    for (const container of containers.filter((entry) => readsSettings(entry, configMap))) {
      const { object } = container;
      const where = `${object.kind} ${object.name} (container ${container.name})`;
      const user = envEntry(container, 'MLFLOW_TRACKING_USERNAME')?.value;
      const password = asRecord(asRecord(envEntry(container, 'MLFLOW_TRACKING_PASSWORD')?.valueFrom)?.secretKeyRef);
      const line = object.doc.lineOf([...container.path, 'env']) ?? object.doc.lineOf([...container.path]);
      if (typeof user !== 'string' || password === undefined) {
        findings.push({ file: object.doc.file, line, message: `${where} talks to MLflow with no MLflow user (MLFLOW_TRACKING_USERNAME, and MLFLOW_TRACKING_PASSWORD from a Secret): the server refuses it.`, fix: `Set MLFLOW_TRACKING_USERNAME and take MLFLOW_TRACKING_PASSWORD from the Secret ${auth.usersSecret}, key = the user name.` });
        continue;
      }
      if (password.name !== auth.usersSecret || password.key !== user) {
        findings.push({ file: object.doc.file, line, message: `${where} signs in as ${user} with the password of ${String(password.name)}/${String(password.key)}: the MLflow server knows ${user} by the key ${user} of ${auth.usersSecret}.`, fix: `Take MLFLOW_TRACKING_PASSWORD from secretKeyRef {name: ${auth.usersSecret}, key: ${user}}.` });
      }
      const serving = servingKinds.includes(object.kind) || object.name === `${context.name}-drift`;
      if (serving && !readOnly.has(user)) {
        findings.push({ file: object.doc.file, line, message: `${where} signs in to MLflow as ${user}${user === auth.users.training ? ', which owns the model and may move its aliases and write its artifacts' : ''}: a compromised server could change what every pod serves.`, fix: `Use the read-only user ${auth.users.serving}.` });
      }
    }
    return outcome(findings, server ? `MLflow with basic-auth; clients sign in as their own users` : undefined);
  },
};
