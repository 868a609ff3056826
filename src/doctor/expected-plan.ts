// What the generator would write for a repository's recorded answers: doctor
// re-plans from .mlforge.yml with the generator's own planContext instead of
// re-deriving names, paths and images itself. The render context and the set
// of generated paths come from the recorded release's templates when this
// mlforge ships them (the same snapshot `mlforge update` uses), else from the
// running release's. The facts table describes the running release's
// templates, so its places are checked only on a repository those templates
// rendered (same fingerprint).

import type { RenderContext } from '../derive.js';
import { planContext, selectedTemplates, type PlanTemplates } from '../plan/plan-project.js';
import { currentTemplates } from '../render/current-templates.js';
import type { FactRow } from '../render/facts-table.js';
import { defaultTemplatesRoot } from '../render/template-set.js';
import { loadSnapshotFor } from '../update/template-history.js';
import { mlforgeVersion } from '../version.js';
import type { Recorded } from './types.js';

export interface ExpectedPlan {
  /** The render context of the recorded answers (src/derive.ts). */
  context: RenderContext;
  /** Every path the generator writes for them, `.mlforge.yml` aside. */
  paths: ReadonlySet<string>;
  /** Where the derived values appear, or why that cannot be checked here. */
  facts: { rows: FactRow[] } | { unavailable: string };
}

export async function expectedPlan(recorded: Recorded): Promise<ExpectedPlan> {
  const current = await currentTemplates();
  const version = recorded.version || mlforgeVersion;
  const snapshot = recorded.version ? await loadSnapshotFor(defaultTemplatesRoot(), recorded.version, current).catch(() => undefined) : undefined;
  const templates: PlanTemplates = snapshot ?? current;
  const context = planContext(recorded.answers, templates, version);
  const paths = new Set(selectedTemplates(recorded.answers, templates, context.packageName).map((file) => file.output));
  return { context, paths, facts: factsFor(recorded, current) };
}

function factsFor(recorded: Recorded, current: PlanTemplates): ExpectedPlan['facts'] {
  if (!current.facts) return { unavailable: `mlforge ${mlforgeVersion} was built without its facts table (templates/facts.yml)` };
  if (recorded.templates === current.fingerprint) return { rows: current.facts };
  const from = recorded.version ? `mlforge ${recorded.version}'s templates` : 'templates this mlforge cannot identify';
  return {
    unavailable:
      `the repository was rendered from ${from} (.mlforge.yml templates ${recorded.templates || 'not recorded'}), ` +
      `and the facts table describes mlforge ${mlforgeVersion}'s (${current.fingerprint ?? 'unknown'}): ` +
      '`mlforge update` brings the repository to these templates',
  };
}
