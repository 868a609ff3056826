// Every value the generator derives from the answers (port, image, names,
// paths, versions), at every place the facts table (templates/facts.yml) says
// it appears, compared with what the generator's own planContext gives for
// .mlforge.yml. Unlike a majority vote between the places found, a place that
// no longer resolves (a line moved, a key renamed) is a finding too, so a
// check cannot pass by seeing fewer places.

import type { FactPlace, FactRow } from '../../render/facts-table.js';
import { missingFile, outcome, plural, skippedOutcome } from '../check-result.js';
import type { Check, Finding, RepoView } from '../types.js';
import { contextValue, fill, resolvePlace } from './fact-places.js';

export const factsCheck: Check = {
  title: 'Each derived value, at every place the facts table names, is what .mlforge.yml gives',
  applies: () => true,
  async run(repo) {
    const resolved = await resolveFacts(repo);
    if ('unavailable' in resolved) return skippedOutcome(resolved.unavailable);
    const findings = resolved.places.flatMap((place) => place.findings);
    return outcome(findings, `${plural(resolved.rows, 'derived value')} at ${plural(resolved.places.length, 'place')}`);
  },
};

export interface CheckedPlace {
  /** Index of the row in the facts table and of the place in the row. */
  row: number;
  place: number;
  file: string;
  findings: Finding[];
}

/** Every place of the table that applies to this repository, checked; a missing file is reported once. */
export async function resolveFacts(repo: RepoView): Promise<{ unavailable: string } | { rows: number; places: CheckedPlace[] }> {
  const expected = await repo.expected();
  if ('unavailable' in expected.facts) return { unavailable: expected.facts.unavailable };
  const declined = new Set(repo.recorded.declined);
  const missing = new Set<string>();
  const places: CheckedPlace[] = [];
  for (const [rowIndex, row] of expected.facts.rows.entries()) {
    const want = contextValue(expected.context, row.value);
    if (want === undefined) throw new Error(`templates/facts.yml: "${row.value}" is not a value of the render context`);
    for (const [placeIndex, place] of row.places.entries()) {
      if (!applies(place, repo)) continue;
      const file = fill(place.file, expected.context);
      if (!expected.paths.has(file) || declined.has(file)) continue;
      const checked = { row: rowIndex, place: placeIndex, file };
      if (!repo.exists(file)) {
        places.push({ ...checked, findings: missing.has(file) ? [] : [missingFile(file, `mlforge generates ${file} for these answers, and ${row.what} appears in it`)] });
        missing.add(file);
      } else {
        places.push({ ...checked, findings: await checkPlace(repo, row, place, file, expected.context, want) });
      }
    }
  }
  return { rows: expected.facts.rows.length, places };
}

function applies(place: FactPlace, repo: RepoView): boolean {
  const answers = repo.answers as unknown as Record<string, unknown>;
  return Object.entries(place.when ?? {}).every(([key, accepted]) => accepted.includes(String(answers[key])));
}

async function checkPlace(repo: RepoView, row: FactRow, place: FactPlace, file: string, context: object, want: string): Promise<Finding[]> {
  const where = place.yaml ?? `/${place.text}/`;
  const result = await resolvePlace(repo, place, file, context);
  if (result.kind === 'unresolved') {
    return [
      {
        file,
        line: result.line,
        message: `${row.what} (${row.value} = "${want}") should appear at ${where}, but ${result.why}.`,
        fix: `Put "${want}" back at ${where}, or change .mlforge.yml's answers with \`mlforge update --set\` so mlforge moves every place together.`,
      },
    ];
  }
  return result.values
    .filter((found) => found.value !== want)
    .map((found) => ({
      file,
      line: found.line,
      message: `${row.what} is "${found.value}" here (${where}), but .mlforge.yml's answers give "${want}" (${row.value}).`,
      fix: `Use "${want}" here, or change the answers with \`mlforge update --set\` so every place follows.`,
    }));
}
