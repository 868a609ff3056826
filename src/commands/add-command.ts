// `mlforge add <capability>` / `mlforge add --no-<capability>`: an update
// pinned to the repository's recorded release, changing only the answers the
// capability declares (src/questions/capabilities.ts).

import { UsageError } from '../errors.js';
import { capabilities, capabilityFor } from '../questions/capabilities.js';
import type { CommandContext } from '../ui/context.js';
import { createOutput } from '../ui/output.js';
import { resolveDir, runAndReport } from './update-command.js';

export interface AddCommandOptions {
  dryRun: boolean;
  allowDirty: boolean;
  json: boolean;
  quiet: boolean;
}

/** `name` is `monitoring` or `--no-monitoring` / `no-monitoring`. */
export async function runAddCommand(name: string, directory: string | undefined, options: AddCommandOptions, ctx: CommandContext): Promise<void> {
  const off = /^(--)?no-/.test(name);
  const bare = name.replace(/^(--)?no-/, '').replace(/^--/, '');
  const capability = capabilityFor(bare);
  if (!capability) {
    throw new UsageError(
      `Unknown capability ${JSON.stringify(name)}. Known: ${capabilities.map((item) => item.name).join(', ')} (or --no-<name> to remove one).`,
      { field: 'capability' },
    );
  }
  const out = createOutput(ctx, options);
  await runAndReport(
    out,
    ctx,
    { directory: resolveDir(ctx, directory), sets: { ...(off ? capability.off : capability.on) }, pinned: true, dryRun: options.dryRun, allowDirty: options.allowDirty },
    options.json,
    'add',
  );
}
