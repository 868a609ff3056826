// The interactive prompter, on @inquirer/prompts. Loaded only on a TTY.
// Each prompt shows its question's hint while it is open, each choice its own hint when
// highlighted; long lists (regions) are type-to-filter, and a value of the right form that is
// not listed (a newer region) can still be chosen.

import { styleText } from 'node:util';
import { confirm, input, search, select } from '@inquirer/prompts';
import type { Prompter } from '../answers/resolve-answers.js';
import { ruleBroken } from '../answers/validate-answer.js';
import { CancelledError } from '../errors.js';
import type { Choice, PartialAnswers, Question, SelectQuestion } from '../questions/table.js';

type Status = 'idle' | 'done' | 'loading';

export function createInquirerPrompter(env: NodeJS.ProcessEnv = process.env): Prompter {
  const plain = (env.NO_COLOR ?? '') !== '';
  const dim = (text: string) => (plain ? text : styleText('dim', text));
  const bold = (text: string) => (plain ? text : styleText('bold', text));
  /** The question's hint after its message while the prompt is open; only the message once answered. */
  const withHint = (hint: string) => ({
    style: { message: (text: string, status: Status) => (status === 'done' ? bold(text) : `${bold(text)} ${dim(`· ${hint}`)}`) },
  });

  return {
    async ask(question: Question, defaultValue: unknown, answers: PartialAnswers) {
      return cancellable(async () => {
        const theme = withHint(question.hint);
        switch (question.kind) {
          case 'text':
            return input({
              message: question.message,
              default: String(defaultValue),
              validate: (value) => ruleBroken(question, value, answers) ?? true,
              theme,
            });
          case 'select':
            if (question.searchable) return searchChoice(question, defaultValue as string, answers, theme);
            return select({
              message: question.message,
              choices: question.choices(answers).map(toInquirerChoice),
              default: defaultValue as string,
              theme,
            });
          case 'confirm':
            return confirm({ message: question.message, default: Boolean(defaultValue), theme });
        }
      });
    },
    async confirm(message: string, defaultValue: boolean) {
      return cancellable(() => confirm({ message, default: defaultValue }));
    },
  };
}

function toInquirerChoice(choice: Choice) {
  return { value: choice.value, name: choice.label, ...(choice.hint ? { description: choice.hint } : {}) };
}

/** Choices whose value or hint contains every word typed; a typed value of the question's pattern is offered too. */
export function filterChoices(question: SelectQuestion, term: string | undefined, answers: PartialAnswers): Choice[] {
  const choices = question.choices(answers);
  const typed = (term ?? '').trim().toLowerCase();
  if (typed === '') return [...choices];
  const words = typed.split(/\s+/);
  const matching = choices.filter((choice) => words.every((word) => `${choice.value} ${choice.hint ?? ''}`.toLowerCase().includes(word)));
  const listed = choices.some((choice) => choice.value === typed);
  if (!listed && question.pattern?.(answers)?.test(typed)) {
    matching.push({ value: typed, label: typed, hint: 'not in the list: used as typed' });
  }
  return matching;
}

async function searchChoice(question: SelectQuestion, defaultValue: string, answers: PartialAnswers, theme: object): Promise<string> {
  return search({
    message: `${question.message} (type to filter)`,
    source: (term) => filterChoices(question, term, answers).map(toInquirerChoice),
    default: defaultValue,
    validate: (value) => ruleBroken(question, value, answers) ?? true,
    pageSize: 8,
    theme,
  });
}

async function cancellable<T>(prompt: () => Promise<T>): Promise<T> {
  try {
    return await prompt();
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError' || (error as Error).name === 'AbortPromptError') {
      throw new CancelledError();
    }
    throw error;
  }
}
