// The logs AWS services write on their own (EKS control-plane logs, RDS log
// exports) go into log groups the Terraform makes first, with a retention
// period: a group the service makes itself keeps its logs forever, and its cost
// grows without bound. checkov only sees groups that are declared, so this rule
// looks for them by the names the services write to, in the module that enables
// the logs.

import { outcome, skippedOutcome } from '../check-result.js';
import { blockLocation, readTerraform, type TfBlock } from '../parse/terraform.js';
import { asArray } from '../parse/yaml-file.js';
import type { Finding, Rule } from '../types.js';

/**
 * The log group named `name`, or one made with for_each whose name is `prefix${each.key}`: over
 * the expression `over` when the exports are one (a literal list of exports takes any for_each).
 */
function groupFor(groups: readonly TfBlock[], name: string, forEach?: { prefix: string; over?: string }): TfBlock | undefined {
  return groups.find((group) => {
    if (group.body.name === name) return true;
    if (!forEach || typeof group.body.for_each !== 'string') return false;
    const keyed = group.body.name === `${forEach.prefix}\${each.key}` || group.body.name === `${forEach.prefix}\${each.value}`;
    return keyed && (forEach.over === undefined || group.body.for_each.includes(forEach.over));
  });
}

/** `"${x}"` as hcl2json gives an expression: the expression `x`; undefined for a literal. */
const expression = (value: unknown) => (typeof value === 'string' ? /^\$\{(.+)\}$/.exec(value)?.[1] : undefined);

export const logRetentionCheck: Rule = {
  title: 'The logs EKS and RDS write go to log groups Terraform makes first, with a retention period',
  applies: (repo) => repo.answers.cloud === 'aws',
  inapplicableReason: (repo) => `cloud ${repo.answers.cloud}: the rule reads the AWS services that make their own log groups`,
  async run(repo) {
    const model = await readTerraform(repo);
    const findings: Finding[] = [...model.errors];
    const checked: string[] = [];
    const report = async (block: TfBlock, message: string, fix: string) =>
      findings.push({ ...(await blockLocation(repo, block)), message, fix });
    const needsRetention = async (group: TfBlock, what: string) => {
      if (group.body.retention_in_days === undefined || group.body.retention_in_days === 0) {
        await report(group, `Log group ${group.name} (${what}) sets no retention_in_days: its logs are kept forever.`, 'Set retention_in_days (365 keeps a year, as checkov asks).');
      }
    };

    // The services' groups are looked for in the module that enables the logs.
    for (const directory of model.directories.values()) {
      const resources = directory.blocks.filter((block) => block.kind === 'resource');
      const groups = resources.filter((block) => block.type === 'aws_cloudwatch_log_group');
      for (const cluster of resources.filter((block) => block.type === 'aws_eks_cluster')) {
        if (asArray(cluster.body.enabled_cluster_log_types).length === 0) continue;
        checked.push(`aws_eks_cluster.${cluster.name}`);
        const name = `/aws/eks/${String(cluster.body.name)}/cluster`;
        const group = groupFor(groups, name);
        if (!group) {
          await report(cluster, `EKS cluster ${cluster.name} sends control-plane logs to ${name}, but no aws_cloudwatch_log_group of that name is made first: EKS makes it with no retention.`, `Add resource "aws_cloudwatch_log_group" with name = "${name}" and retention_in_days, and list it in the cluster's depends_on.`);
        } else await needsRetention(group, 'EKS control-plane logs');
      }

      for (const database of resources.filter((block) => block.type === 'aws_db_instance')) {
        const exports = database.body.enabled_cloudwatch_logs_exports;
        if (exports === undefined || (Array.isArray(exports) && exports.length === 0)) continue;
        checked.push(`aws_db_instance.${database.name}`);
        const prefix = `/aws/rds/instance/${String(database.body.identifier)}/`;
        const over = expression(exports);
        const names = Array.isArray(exports) ? exports.map(String) : [];
        if (over === undefined && names.length === 0) continue;
        const wanted =
          over !== undefined
            ? [{ label: `${prefix}<each of ${over}>`, group: groupFor(groups, '', { prefix, over }) }]
            : names.map((log) => ({ label: `${prefix}${log}`, group: groupFor(groups, `${prefix}${log}`, { prefix }) }));
        for (const { label, group } of wanted) {
          if (!group) {
            await report(database, `RDS instance ${database.name} exports logs to ${label}, but no aws_cloudwatch_log_group of that name is made first: RDS makes it with no retention.`, `Add aws_cloudwatch_log_group resources named ${prefix}<log> (for_each over the exported logs) with retention_in_days, and list them in the instance's depends_on.`);
          } else await needsRetention(group, 'RDS log exports');
        }
      }
    }
    if (checked.length === 0 && findings.length === 0) return skippedOutcome('no EKS cluster or RDS instance with logs enabled');
    return outcome(findings, checked.join(', '));
  },
};
