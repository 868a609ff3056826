// The interactive prompter, on @inquirer/prompts. Loaded only on a TTY.

import { confirm, input, select } from '@inquirer/prompts';
import type { Prompter } from '../answers/resolve-answers.js';
import { ruleBroken } from '../answers/validate-answer.js';
import { CancelledError } from '../errors.js';
import type { PartialAnswers, Question } from '../questions/table.js';

export function createInquirerPrompter(): Prompter {
  return {
    async ask(question: Question, defaultValue: unknown, answers: PartialAnswers) {
      try {
        switch (question.kind) {
          case 'text':
            return await input({
              message: question.message,
              default: String(defaultValue),
              validate: (value) => ruleBroken(question, value, answers) ?? true,
            });
          case 'select':
            return await select({
              message: question.message,
              choices: question.choices(answers).map((choice) => ({ value: choice.value, name: choice.label })),
              default: defaultValue as string,
            });
          case 'confirm':
            return await confirm({ message: question.message, default: Boolean(defaultValue) });
        }
      } catch (error) {
        if ((error as Error).name === 'ExitPromptError' || (error as Error).name === 'AbortPromptError') {
          throw new CancelledError();
        }
        throw error;
      }
    },
  };
}
