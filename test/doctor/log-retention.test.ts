// practice.log-retention: on AWS, the log groups EKS (control-plane logs) and RDS
// (log exports) write to are made by Terraform first, with a retention period;
// planted away (renamed, or without retention), the rule fails on the resource.

import { beforeAll, describe, expect, test } from 'vitest';
import { logRetentionCheck } from '../../src/doctor/practices/log-retention.js';
import type { CheckResult } from '../../src/doctor/types.js';
import { runPlanted as runPlantedIn, type PlantedEdit } from '../helpers/planted.js';
import { generateRepo } from '../helpers/generate.js';

let aws: string;
let gcp: string;
beforeAll(async () => {
  aws = (await generateRepo({ name: 'svc', cloud: 'aws' })).dir;
  gcp = (await generateRepo({ name: 'svc', cloud: 'gcp' })).dir;
}, 120_000);

const cluster = 'infra/terraform/modules/aws/cluster/main.tf';
const database = 'infra/terraform/modules/aws/database/main.tf';
const runPlanted = (...edits: PlantedEdit[]): Promise<CheckResult> => runPlantedIn(logRetentionCheck, aws, edits);
const messages = (result: CheckResult) => result.findings.map((finding) => finding.message).join('\n');

describe('practice.log-retention', () => {
  test('passes on a fresh AWS repository, naming what it checked', async () => {
    const result = await runPlanted();
    expect(result.findings).toEqual([]);
    expect(result.status).toBe('passed');
    expect(result.reason).toBe('aws_eks_cluster.this, aws_db_instance.this');
  });

  test('does not apply off AWS, and says why', async () => {
    const result = await runPlantedIn(logRetentionCheck, gcp, []);
    expect(result.status).toBe('skipped');
    expect(result.reason).toMatch(/cloud gcp/);
  });

  test('EKS logs with no group of the name EKS writes to fail, on the cluster resource', async () => {
    const result = await runPlanted([cluster, 'name              = "/aws/eks/${var.name}/cluster"', 'name              = "/aws/eks/${var.name}/other"']);
    expect(messages(result)).toMatch(/EKS cluster this sends control-plane logs to \/aws\/eks\/\$\{var\.name\}\/cluster, but no aws_cloudwatch_log_group of that name/);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ file: cluster });
    expect(result.findings[0]!.line).toBeGreaterThan(1);
  });

  test('a group without retention fails, on the group', async () => {
    const result = await runPlanted([cluster, /\n\s*retention_in_days = var\.log_retention_days/, '']);
    expect(messages(result)).toMatch(/Log group cluster \(EKS control-plane logs\) sets no retention_in_days/);
  });

  test('RDS exports with no group per exported log fail', async () => {
    const result = await runPlanted([database, '"/aws/rds/instance/${var.name}/${each.key}"', '"/aws/rds/${var.name}/${each.key}"']);
    expect(messages(result)).toMatch(/RDS instance this exports logs to \/aws\/rds\/instance\/\$\{var\.name\}\/<each of local\.log_exports>/);
  });

  test('a literal list of exports is matched by groups of those names', async () => {
    const result = await runPlanted(
      [database, 'enabled_cloudwatch_logs_exports       = local.log_exports', 'enabled_cloudwatch_logs_exports       = ["postgresql"]'],
      [database, '"/aws/rds/instance/${var.name}/${each.key}"', '"/aws/rds/instance/${var.name}/postgresql"'],
    );
    expect(result.findings).toEqual([]);
    const missing = await runPlanted([database, 'enabled_cloudwatch_logs_exports       = local.log_exports', 'enabled_cloudwatch_logs_exports       = ["postgresql", "iam-db-auth-error"]'], [database, '"/aws/rds/instance/${var.name}/${each.key}"', '"/aws/rds/instance/${var.name}/postgresql"']);
    expect(messages(missing)).toMatch(/exports logs to \/aws\/rds\/instance\/\$\{var\.name\}\/iam-db-auth-error/);
  });
});
