// Validation of one answer against its question, with messages that name the
// field, the value and the rule. Flags, config files and prompts share it.

import { closest } from '../naming.js';
import type { PartialAnswers, Question } from '../questions/table.js';
import { UsageError } from '../errors.js';

/** Where a value came from, used to name the field in messages. */
export type AnswerSource = { kind: 'flag' } | { kind: 'config'; path: string } | { kind: 'prompt' };

export function fieldLabel(question: Question, source: AnswerSource): string {
  switch (source.kind) {
    case 'flag':
      return `--${question.key}`;
    case 'config':
      return `"${question.key}" in ${source.path}`;
    case 'prompt':
      return question.key;
  }
}

export function showValue(value: unknown): string {
  // Invisible and terminal-controlling characters are shown as \u escapes so the message itself stays inert.
  const text = (JSON.stringify(value) ?? String(value)).replace(
    /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}]/gu,
    (char) => `\\u${char.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  );
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Returns the rule a value breaks, or undefined when it is valid. */
export function ruleBroken(question: Question, value: unknown, answers: PartialAnswers): string | undefined {
  switch (question.kind) {
    case 'text': {
      const result = question.schema.safeParse(value);
      return result.success ? undefined : result.error.issues[0]?.message;
    }
    case 'select': {
      const allowed = question.choices(answers).map((choice) => choice.value);
      if (typeof value === 'string' && allowed.includes(value)) return undefined;
      const pattern = question.pattern?.(answers);
      if (typeof value === 'string' && pattern?.test(value)) return undefined;
      const context = question.key === 'region' && answers.cloud ? ` for cloud ${answers.cloud}` : '';
      const hint = typeof value === 'string' ? closest(value, allowed) : undefined;
      const didYouMean = hint ? ` (did you mean "${hint}"?)` : '';
      if (pattern) return `must be a region${context} such as ${allowed.slice(0, 3).join(', ')} (any region matching ${pattern.source})${didYouMean}`;
      return `must be one of ${allowed.join(', ')}${context}${didYouMean}`;
    }
    case 'confirm':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
  }
}

/**
 * Config files may say `python: 3.12`, which YAML reads as a number: it is
 * taken as the text it reads back as, never rounded (the config reader has
 * already refused `3.10`, which would read back as 3.1).
 */
function coerce(question: Question, value: unknown): unknown {
  if (question.key === 'python' && typeof value === 'number') return String(value);
  return value;
}

export function validateAnswer<T>(
  question: Question,
  raw: unknown,
  answers: PartialAnswers,
  source: AnswerSource,
): T {
  const value = coerce(question, raw);
  const broken = ruleBroken(question, value, answers);
  if (broken !== undefined) {
    throw new UsageError(`Invalid ${fieldLabel(question, source)} ${showValue(raw)}: ${broken}.`, {
      field: question.key,
    });
  }
  return value as T;
}
