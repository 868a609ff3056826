// The cluster Terraform creates enforces NetworkPolicies, so the default-deny
// policies under deploy/k8s are not a no-op: EKS needs the VPC CNI add-on with
// its network policy agent on, GKE Dataplane V2 (or the network policy add-on),
// AKS a network policy engine. On --cloud local the cluster is kind, whose
// kindnetd enforces them (kind 0.24 and later); there is no Terraform to read.

import { outcome, skippedOutcome } from '../check-result.js';
import { k8sObjects } from '../parse/k8s-manifests.js';
import { blockLocation, readTerraform, type TfBlock } from '../parse/terraform.js';
import { asArray, asRecord } from '../parse/yaml-file.js';
import type { Finding, Rule } from '../types.js';

const clusterType = { aws: 'aws_eks_cluster', gcp: 'google_container_cluster', azure: 'azurerm_kubernetes_cluster' } as const;
const azureEngines = ['azure', 'calico', 'cilium'];

/** Why the cluster `block` does not enforce NetworkPolicies, or undefined when it does. */
function gap(cloud: keyof typeof clusterType, cluster: TfBlock, blocks: readonly TfBlock[]): { message: string; fix: string } | undefined {
  if (cloud === 'aws') {
    const addon = blocks.find((block) => block.type === 'aws_eks_addon' && block.body.addon_name === 'vpc-cni' && block.file.startsWith(cluster.file.slice(0, cluster.file.lastIndexOf('/') + 1)));
    if (!addon) {
      return { message: `EKS cluster ${cluster.name} has no aws_eks_addon "vpc-cni": without the add-on's network policy agent EKS ignores NetworkPolicy objects.`, fix: 'Add aws_eks_addon "vpc-cni" with configuration_values = jsonencode({ enableNetworkPolicy = "true" }).' };
    }
    if (!/enableNetworkPolicy\W+"?true/.test(String(addon.body.configuration_values ?? ''))) {
      return { message: `The vpc-cni add-on of EKS cluster ${cluster.name} does not set enableNetworkPolicy = "true": NetworkPolicies are not enforced.`, fix: 'Set configuration_values = jsonencode({ enableNetworkPolicy = "true" }) on the add-on.' };
    }
    return undefined;
  }
  if (cloud === 'gcp') {
    const dataplaneV2 = cluster.body.datapath_provider === 'ADVANCED_DATAPATH';
    const addon = asArray(cluster.body.network_policy).some((entry) => asRecord(entry)?.enabled === true);
    if (dataplaneV2 || addon) return undefined;
    return { message: `GKE cluster ${cluster.name} enforces no NetworkPolicies: neither Dataplane V2 (datapath_provider = "ADVANCED_DATAPATH") nor the network_policy add-on is on.`, fix: 'Set datapath_provider = "ADVANCED_DATAPATH" on the cluster.' };
  }
  const engine = asRecord(asArray(cluster.body.network_profile)[0])?.network_policy;
  if (typeof engine === 'string' && azureEngines.includes(engine)) return undefined;
  return { message: `AKS cluster ${cluster.name} has no network policy engine (network_profile.network_policy is ${engine === undefined ? 'unset' : JSON.stringify(engine)}): NetworkPolicies are not enforced.`, fix: `Set network_profile { network_policy = "cilium" } (or one of ${azureEngines.join(', ')}).` };
}

export const networkPolicyEnforcedCheck: Rule = {
  title: "The cluster enforces NetworkPolicies, so the manifests' default deny is not a no-op",
  applies: () => true,
  async run(repo) {
    const { objects } = await k8sObjects(repo);
    if (!objects.some((object) => object.kind === 'NetworkPolicy')) return skippedOutcome('no NetworkPolicy under deploy/k8s');
    const cloud = repo.answers.cloud;
    if (cloud === 'local') return skippedOutcome('no Terraform: the cluster is kind, whose kindnetd enforces NetworkPolicies (kind 0.24 and later)');
    const model = await readTerraform(repo);
    const blocks = [...model.directories.values()].flatMap((directory) => directory.blocks);
    const clusters = blocks.filter((block) => block.kind === 'resource' && block.type === clusterType[cloud]);
    const findings: Finding[] = [...model.errors];
    if (clusters.length === 0) {
      findings.push({ file: 'infra/terraform', message: `No ${clusterType[cloud]} resource: the Terraform creates no cluster to check.`, fix: 'Restore the cluster module under infra/terraform/modules.' });
    }
    for (const cluster of clusters) {
      const problem = gap(cloud, cluster, blocks);
      if (problem) findings.push({ ...(await blockLocation(repo, cluster)), ...problem });
    }
    return outcome(findings, `${clusters.map((cluster) => `${cluster.type}.${cluster.name}`).join(', ')}`);
  },
};
