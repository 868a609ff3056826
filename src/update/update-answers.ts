// The answers of an update: the recorded ones, changed by `--set key=value`
// (or a capability), through the same validation as `mlforge new`. A recorded
// answer that a change makes invalid (the region after `--set cloud=gcp`) falls
// back to its default, and says so.

import { resolveAnswers } from '../answers/resolve-answers.js';
import { UsageError } from '../errors.js';
import { closest } from '../naming.js';
import { answerKeys, questionFor, type Answers } from '../questions/table.js';

/** Parses `--set key=value` items: known keys, booleans as true/false. */
export function parseSets(items: readonly string[]): Record<string, unknown> {
  const sets: Record<string, unknown> = {};
  for (const item of items) {
    const at = item.indexOf('=');
    const key = at > 0 ? item.slice(0, at) : '';
    if (at <= 0) throw new UsageError(`Invalid --set ${JSON.stringify(item)}: expected key=value (for example --set cloud=gcp).`, { field: 'set' });
    const question = questionFor(key);
    if (!question) {
      const hint = closest(key, answerKeys);
      throw new UsageError(
        `Invalid --set ${JSON.stringify(item)}: unknown answer "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}. Known: ${answerKeys.join(', ')}.`,
        { field: 'set' },
      );
    }
    const raw = item.slice(at + 1);
    sets[key] = question.kind === 'confirm' ? ({ true: true, false: false } as Record<string, boolean>)[raw] ?? raw : raw;
  }
  return sets;
}

export async function updatedAnswers(recorded: Answers, sets: Record<string, unknown>): Promise<{ answers: Answers; notes: string[] }> {
  const notes: string[] = [];
  const kept: Record<string, unknown> = Object.fromEntries(
    Object.entries(recorded).filter(([key, value]) => value !== null && key in sets === false && questionFor(key)),
  );
  const flags = Object.fromEntries(Object.entries(sets).map(([key, value]) => [key, value]));
  // Each retry drops one recorded answer, so this ends after at most one round per answer.
  for (let round = 0; round <= answerKeys.length; round++) {
    try {
      const answers = await resolveAnswers({ flags, config: { path: '.mlforge.yml', values: kept }, yes: true, hints: {} });
      return { answers, notes };
    } catch (error) {
      const field = error instanceof UsageError ? error.field : undefined;
      if (field !== undefined && field in sets) {
        // resolveAnswers names flags (--cloud); here the value came from --set cloud=...
        throw new UsageError((error as Error).message.replace(`Invalid --${field} `, `Invalid --set ${field}=`), { cause: error, field });
      }
      if (field === undefined || !(field in kept)) throw error;
      notes.push(`${field}: the recorded ${JSON.stringify(kept[field])} no longer applies after your change, so it takes its default`);
      delete kept[field];
    }
  }
  throw new UsageError('The recorded answers cannot be reconciled with the changes.');
}
