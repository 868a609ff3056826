// The commander program. Options of `new` come from the questions table.

import { Command, Option } from 'commander';
import { questions, type Question } from './questions/table.js';
import type { CommandContext } from './ui/context.js';
import { mlforgeVersion } from './version.js';

function defaultHelp(question: Question): string {
  if (question.defaultText) return question.defaultText;
  const value = question.default({}, {});
  return typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value);
}

/** One help line per question: description, choices and default. */
export function optionHelp(question: Question): string {
  const choices = question.kind === 'select' ? `; choices: ${question.allValues.join(', ')}` : '';
  return `${question.description}${choices}; default: ${defaultHelp(question)}`;
}

function addAnswerOptions(command: Command): void {
  for (const question of questions) {
    if (question.kind === 'confirm') {
      command.addOption(new Option(`--${question.key}`, optionHelp(question)));
      command.addOption(new Option(`--no-${question.key}`, `Turn off: ${question.description.toLowerCase()}`));
    } else {
      command.addOption(new Option(`--${question.key} <${question.kind === 'text' ? question.placeholder : question.key}>`, optionHelp(question)));
    }
  }
}

const newExamples = `
Examples:
  $ mlforge new churn-model                       # ask for everything on a terminal
  $ mlforge new churn-model --yes                 # defaults: aws, github, fastapi, rolling
  $ mlforge new fraud --cloud gcp --region europe-west1 --ci gitlab --serving kserve --yes
  $ mlforge new demo --cloud local --rollout canary --no-monitoring --yes --no-git
  $ mlforge new svc --config answers.yml --dry-run
  $ mlforge schema > answers.schema.json          # JSON Schema of --config files`;

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('mlforge')
    .description('Scaffold a production-ready machine-learning service repository.')
    .version(mlforgeVersion, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
    })
    .showSuggestionAfterError(true);

  const create = program
    .command('new')
    .argument('[directory]', 'where to create the repository (default: ./<name>)')
    .description('Generate a new ML service repository')
    .exitOverride();
  addAnswerOptions(create);
  create
    .option('--config <file>', 'answers from a YAML or JSON file (see `mlforge schema`); flags win over it')
    .option('-y, --yes', 'use defaults for every answer not given; never prompt')
    .option('--dry-run', 'print the planned tree and a summary; write nothing')
    .option('--force', 'write into a non-empty directory: only planned files, nothing deleted, overwritten files listed')
    .option('--no-git', 'skip `git init` and the initial commit')
    .option('--json', 'print a machine-readable result on stdout')
    .option('-q, --quiet', 'print only errors')
    .addHelpText('after', newExamples)
    .action(async (directory: string | undefined, options: Record<string, unknown>) => {
      const { runNew } = await import('./commands/new-command.js');
      const flags = Object.fromEntries(questions.map((question) => [question.key, options[question.key]]));
      const result = await runNew(
        directory,
        {
          flags,
          ...(typeof options.config === 'string' ? { config: options.config } : {}),
          yes: options.yes === true,
          dryRun: options.dryRun === true,
          force: options.force === true,
          git: options.git !== false,
          json: options.json === true,
          quiet: options.quiet === true,
        },
        ctx,
      );
      if (options.json === true) ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    });

  program
    .command('schema')
    .description('Print the JSON Schema of the answers file used by `new --config`')
    .exitOverride()
    .action(async () => {
      const { answersJsonSchema } = await import('./questions/json-schema.js');
      ctx.stdout.write(`${JSON.stringify(answersJsonSchema(), null, 2)}\n`);
    });

  return program;
}
