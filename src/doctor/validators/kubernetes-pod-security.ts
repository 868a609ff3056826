// The "restricted" Pod Security Standard (kubernetes.io/docs/concepts/security/
// pod-security-standards), baseline controls included, applied to every pod
// template a workload carries: built-in workloads, CronJob, Argo Rollout and
// the KServe predictor/transformer/explainer.

import type { BuiltObject } from './kubernetes-build.js';

type Json = Record<string, unknown>;

export interface PodTemplate {
  /** Field path of the pod spec inside the object, e.g. `spec.template.spec`. */
  path: string;
  spec: Json;
  annotations: Record<string, string>;
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const child = (value: unknown, key: string): unknown => (isObject(value) ? value[key] : undefined);

/** Every pod spec an object carries. */
export function podTemplates(object: BuiltObject): PodTemplate[] {
  const from = (path: string, spec: unknown, metadata: unknown): PodTemplate[] =>
    isObject(spec) ? [{ path, spec, annotations: (child(metadata, 'annotations') as Record<string, string>) ?? {} }] : [];
  const spec = object.spec;
  switch (object.kind) {
    case 'Pod':
      return from('spec', spec, object.metadata);
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
    case 'Rollout':
      return from('spec.template.spec', child(child(spec, 'template'), 'spec'), child(child(spec, 'template'), 'metadata'));
    case 'CronJob': {
      const template = child(child(child(spec, 'jobTemplate'), 'spec'), 'template');
      return from('spec.jobTemplate.spec.template.spec', child(template, 'spec'), child(template, 'metadata'));
    }
    case 'InferenceService':
      // A KServe component is a pod spec plus scaling fields; its `annotations` go to the pod.
      return ['predictor', 'transformer', 'explainer'].flatMap((component) => {
        const value = child(spec, component);
        return from(`spec.${component}`, value, { annotations: child(value, 'annotations') });
      });
    default:
      return [];
  }
}

const allowedVolumeTypes = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const safeSysctls = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const allowedSeLinuxTypes = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

export interface Violation {
  /** Field path inside the object. */
  path: string;
  message: string;
  fix: string;
}

/** Violations of the restricted profile in one pod template. */
export function restrictedViolations(template: PodTemplate): Violation[] {
  const out: Violation[] = [];
  const at = (path: string) => `${template.path}.${path}`;
  const add = (path: string, message: string, fix: string) => out.push({ path: at(path), message, fix });
  const pod = template.spec;
  const podSecurity = (isObject(pod.securityContext) ? pod.securityContext : {}) as Json;

  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (pod[field] === true) add(field, `${field} shares the node's namespaces`, `remove ${field}`);
  }
  for (const [index, volume] of (Array.isArray(pod.volumes) ? pod.volumes : []).entries()) {
    const types = Object.keys(isObject(volume) ? volume : {}).filter((key) => key !== 'name');
    for (const type of types.filter((key) => !allowedVolumeTypes.has(key))) {
      add(`volumes[${index}].${type}`, `volume type ${type} is not allowed (restricted allows ${[...allowedVolumeTypes].join(', ')})`, 'use an emptyDir, configMap, secret or projected volume');
    }
  }
  for (const [index, sysctl] of (Array.isArray(podSecurity.sysctls) ? podSecurity.sysctls : []).entries()) {
    const name = String(child(sysctl, 'name'));
    if (!safeSysctls.has(name)) add(`securityContext.sysctls[${index}]`, `sysctl ${name} is not in the safe set`, 'remove the sysctl');
  }
  checkCommon(podSecurity, 'securityContext', add);

  const podNonRoot = podSecurity.runAsNonRoot === true;
  const podSeccomp = seccompType(podSecurity);
  if (podSeccomp === 'Unconfined') add('securityContext.seccompProfile.type', 'seccomp profile Unconfined', 'set seccompProfile.type: RuntimeDefault');

  for (const [key, containers] of [['initContainers', pod.initContainers], ['containers', pod.containers], ['ephemeralContainers', pod.ephemeralContainers]] as const) {
    for (const [index, container] of (Array.isArray(containers) ? containers : []).entries()) {
      const base = `${key}[${index}]`;
      const name = String(child(container, 'name'));
      const security = (isObject(child(container, 'securityContext')) ? child(container, 'securityContext') : {}) as Json;
      const where = `container ${name}`;
      checkCommon(security, `${base}.securityContext`, add);
      if (security.privileged === true) add(`${base}.securityContext.privileged`, `${where} is privileged`, 'remove privileged: true');
      if (security.allowPrivilegeEscalation !== false) {
        add(`${base}.securityContext.allowPrivilegeEscalation`, `${where} does not set allowPrivilegeEscalation: false`, 'set securityContext.allowPrivilegeEscalation: false');
      }
      const nonRoot = security.runAsNonRoot;
      if (nonRoot === false || (!podNonRoot && nonRoot !== true)) {
        add(`${base}.securityContext.runAsNonRoot`, `${where} may run as root (runAsNonRoot is not true for the pod or the container)`, 'set runAsNonRoot: true in the pod securityContext');
      }
      const seccomp = seccompType(security);
      if (seccomp === 'Unconfined' || (seccomp === undefined && podSeccomp !== 'RuntimeDefault' && podSeccomp !== 'Localhost')) {
        add(`${base}.securityContext.seccompProfile`, `${where} has no RuntimeDefault or Localhost seccomp profile`, 'set seccompProfile.type: RuntimeDefault in the pod securityContext');
      }
      const capabilities = child(security, 'capabilities');
      const drop = child(capabilities, 'drop');
      if (!Array.isArray(drop) || !drop.includes('ALL')) {
        add(`${base}.securityContext.capabilities.drop`, `${where} does not drop ALL capabilities`, 'set capabilities.drop: [ALL]');
      }
      const added = child(capabilities, 'add');
      for (const capability of Array.isArray(added) ? added : []) {
        if (capability !== 'NET_BIND_SERVICE') add(`${base}.securityContext.capabilities.add`, `${where} adds capability ${String(capability)}`, 'add no capability other than NET_BIND_SERVICE');
      }
      for (const [portIndex, port] of (Array.isArray(child(container, 'ports')) ? (child(container, 'ports') as unknown[]) : []).entries()) {
        const hostPort = child(port, 'hostPort');
        if (hostPort !== undefined && hostPort !== 0) add(`${base}.ports[${portIndex}].hostPort`, `${where} binds host port ${String(hostPort)}`, 'remove hostPort');
      }
      const apparmor = template.annotations[`container.apparmor.security.beta.kubernetes.io/${name}`];
      if (apparmor !== undefined && apparmor !== 'runtime/default' && !apparmor.startsWith('localhost/')) {
        add(`metadata.annotations`, `${where} has AppArmor profile ${apparmor}`, 'use runtime/default');
      }
    }
  }
  return out;
}

function seccompType(security: Json): string | undefined {
  const type = child(security.seccompProfile, 'type');
  return typeof type === 'string' ? type : undefined;
}

/** Controls that apply to the pod and to each container security context alike. */
function checkCommon(security: Json, path: string, add: (path: string, message: string, fix: string) => void): void {
  if (child(security.windowsOptions, 'hostProcess') === true) add(`${path}.windowsOptions.hostProcess`, 'Windows HostProcess is not allowed', 'remove hostProcess');
  if (security.runAsUser === 0) add(`${path}.runAsUser`, 'runAsUser is 0 (root)', 'run as a non-zero UID');
  const seLinux = security.seLinuxOptions;
  if (isObject(seLinux)) {
    if (seLinux.user !== undefined || seLinux.role !== undefined) add(`${path}.seLinuxOptions`, 'custom SELinux user or role', 'remove seLinuxOptions.user and .role');
    if (seLinux.type !== undefined && !allowedSeLinuxTypes.has(String(seLinux.type))) add(`${path}.seLinuxOptions.type`, `SELinux type ${String(seLinux.type)}`, 'use container_t or leave it unset');
  }
  const appArmor = child(security.appArmorProfile, 'type');
  if (appArmor !== undefined && appArmor !== 'RuntimeDefault' && appArmor !== 'Localhost') add(`${path}.appArmorProfile.type`, `AppArmor profile ${String(appArmor)}`, 'use RuntimeDefault');
  if (security.procMount !== undefined && security.procMount !== 'Default') add(`${path}.procMount`, `procMount ${String(security.procMount)}`, 'leave procMount unset');
}

/**
 * mlforge's own policy on top of the standard: an immutable root filesystem
 * (writable scratch space comes from an emptyDir).
 */
export function readOnlyRootViolations(template: PodTemplate): Violation[] {
  const containers = Array.isArray(template.spec.containers) ? template.spec.containers : [];
  return containers.flatMap((container, index) =>
    child(child(container, 'securityContext'), 'readOnlyRootFilesystem') === true
      ? []
      : [
          {
            path: `${template.path}.containers[${index}].securityContext.readOnlyRootFilesystem`,
            message: `container ${String(child(container, 'name'))} has a writable root filesystem (mlforge policy, beyond the standard)`,
            fix: 'set readOnlyRootFilesystem: true and mount an emptyDir where the process writes',
          },
        ],
  );
}
