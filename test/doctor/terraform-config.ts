// Test helper: the Terraform CLI configuration a user with an offline provider
// mirror would have. doctor hard-codes no mirror path; it runs `terraform init`
// as the user's Terraform is configured. Here that configuration is a
// TF_CLI_CONFIG_FILE whose provider_installation has a filesystem_mirror of the
// build machine's mirror (MLFORGE_TF_MIRROR, default /opt/tf-plugins) for the
// providers it holds, and the registry for the rest. .ci/run writes the same.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const offlineMirror = process.env.MLFORGE_TF_MIRROR ?? '/opt/tf-plugins';

/** `registry.terraform.io/hashicorp/aws` for each provider in a filesystem mirror. */
export function mirroredProviders(mirror: string): string[] {
  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name) : []);
  return list(mirror).flatMap((host) => list(join(mirror, host)).flatMap((namespace) => list(join(mirror, host, namespace)).map((type) => `${host}/${namespace}/${type}`)));
}

/** CLI configuration text: the mirror for what it holds, the registry for everything else. */
export function mirrorConfig(mirror: string, providers: readonly string[]): string {
  const list = JSON.stringify(providers);
  return `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ${list}\n  }\n  direct {\n    exclude = ${list}\n  }\n}\n`;
}

/** Writes a CLI configuration for `mirror` and returns its path. */
export function writeMirrorConfig(mirror: string, providers = mirroredProviders(mirror), name = 'mlforge-test-terraformrc'): string {
  const file = join(tmpdir(), `${name}-${process.pid}`);
  writeFileSync(file, mirrorConfig(mirror, providers));
  return file;
}

/**
 * Points TF_CLI_CONFIG_FILE at a configuration with the offline mirror unless it
 * already names one with a provider_installation block; returns the providers
 * available offline (none when there is no mirror).
 */
export function useOfflineTerraformMirror(): string[] {
  const current = process.env.TF_CLI_CONFIG_FILE;
  const providers = mirroredProviders(offlineMirror);
  if (current && existsSync(current) && /provider_installation/.test(readFileSync(current, 'utf8'))) return providers;
  if (providers.length === 0) return [];
  process.env.TF_CLI_CONFIG_FILE = writeMirrorConfig(offlineMirror, providers);
  return providers;
}
