// Layers the answer sources: flags > config file > prompts (TTY only) > defaults.
// Every value, whatever its source, goes through validateAnswer.

import { UsageError } from '../errors.js';
import {
  nameFromDirectory,
  questions,
  type Answers,
  type DefaultHints,
  type PartialAnswers,
  type Question,
} from '../questions/table.js';
import type { ConfigAnswers } from './config-file.js';
import { fieldLabel, ruleBroken, showValue, validateAnswer, type AnswerSource } from './validate-answer.js';

/** Answers are missing and there is no terminal to ask them on (exit 2, `--json` kind `missing-answers`). */
export class MissingAnswersError extends UsageError {
  readonly kind = 'missing-answers';
}

/** Asks one question; implemented with @inquirer/prompts in src/ui/prompter.ts. */
export interface Prompter {
  ask(question: Question, defaultValue: unknown, answers: PartialAnswers): Promise<unknown>;
  /** A yes/no question outside the table (the confirmation before writing). */
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
}

export interface ResolveInput {
  /** Values from command-line flags; undefined means "not given". */
  flags: Partial<Record<keyof Answers, unknown>>;
  config?: ConfigAnswers;
  /** Present only when a terminal can answer prompts. */
  prompter?: Prompter;
  /** --yes: take defaults for everything not given. */
  yes: boolean;
  hints: DefaultHints;
  /** Called after each answer is known, before the next question (the target is checked after `name`). */
  onAnswer?: (key: keyof Answers, answers: PartialAnswers) => void | Promise<void>;
}

export async function resolveAnswers(input: ResolveInput): Promise<Answers> {
  const answers: PartialAnswers = {};
  const missing: Question[] = [];
  for (const question of questions) {
    const given = givenValue(question, input);
    const applicable = question.when?.(answers) ?? true;
    if (!applicable) {
      if (given !== undefined && given.value !== question.inapplicable) {
        throw new UsageError(
          `Invalid ${fieldLabel(question, given.source)} ${showValue(given.value)}: it was given, but ${question.inapplicableReason}.`,
          { field: question.key },
        );
      }
      set(answers, question, question.inapplicable);
      continue;
    }
    if (given !== undefined) {
      set(answers, question, validateAnswer(question, given.value, answers, given.source));
      await input.onAnswer?.(question.key, answers);
      continue;
    }
    if (question.key === 'name' && input.hints.directoryName !== undefined) {
      // A directory argument names the project: never asked, never silently replaced.
      set(answers, question, nameFromDirectoryOrThrow(question, input.hints.directoryName, answers));
      await input.onAnswer?.(question.key, answers);
      continue;
    }
    const fallback = question.default(answers, input.hints);
    if (input.yes) {
      set(answers, question, fallback);
    } else if (input.prompter) {
      const value = await input.prompter.ask(question, fallback, answers);
      set(answers, question, validateAnswer(question, value, answers, { kind: 'prompt' }));
    } else {
      missing.push(question);
      set(answers, question, fallback);
    }
    await input.onAnswer?.(question.key, answers);
  }
  if (missing.length > 0) {
    throw new MissingAnswersError(
      `No terminal to prompt on, and ${missing.length} answer(s) are missing: ` +
        `${missing.map((question) => `--${question.key}`).join(', ')}. ` +
        'Pass them as flags, put them in a --config file, or add --yes to accept the defaults.',
      { field: missing[0]!.key },
    );
  }
  return answers as Answers;
}

function nameFromDirectoryOrThrow(question: Question, directoryName: string, answers: PartialAnswers): string {
  const derived = nameFromDirectory(directoryName);
  const broken = ruleBroken(question, derived, answers);
  if (broken === undefined) return derived;
  const from = derived === directoryName ? '' : ` (from the directory ${showValue(directoryName)})`;
  throw new UsageError(
    `Invalid name ${showValue(derived)}${from}: ${broken}. ` +
      'The project name is taken from the directory; pass --name <name> to choose another.',
    { field: question.key },
  );
}

function givenValue(question: Question, input: ResolveInput): { value: unknown; source: AnswerSource } | undefined {
  const flag = input.flags[question.key];
  if (flag !== undefined) return { value: flag, source: { kind: 'flag' } };
  const config = input.config?.values[question.key];
  if (config !== undefined && input.config) return { value: config, source: { kind: 'config', path: input.config.path } };
  return undefined;
}

function set(answers: PartialAnswers, question: Question, value: unknown): void {
  (answers as Record<string, unknown>)[question.key] = value;
}
