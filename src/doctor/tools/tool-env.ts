// The environment every external tool runs with: the user's, so proxies,
// HOME and tool configuration (a Terraform provider mirror) keep working,
// minus what could steer it into the checked repository: GIT_* variables,
// relative or in-repository PATH entries, and pagers.

import { delimiter } from 'node:path';
import { safePathEntries } from './safe-path.js';

export function toolEnvironment(base: NodeJS.ProcessEnv, repoRoot: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value === undefined || key.startsWith('GIT_')) continue;
    env[key] = value;
  }
  env.PATH = safePathEntries(base.PATH, repoRoot).join(delimiter);
  // Nothing may wait on a pager or prompt, and no tool phones home.
  Object.assign(env, { PAGER: 'cat', GIT_PAGER: 'cat', NO_COLOR: '1', CHECKPOINT_DISABLE: '1' });
  delete env.FORCE_COLOR;
  return { ...env, ...extra };
}
