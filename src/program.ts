// The commander program. Options of `new` come from the questions table.

import { Command, Option } from 'commander';
import { capabilities } from './questions/capabilities.js';
import { questions, type Question } from './questions/table.js';
import type { CommandContext } from './ui/context.js';
import { mlforgeVersion } from './version.js';

const capabilityNames = capabilities.map((capability) => capability.name);

function defaultHelp(question: Question): string {
  if (question.defaultText) return question.defaultText;
  const value = question.default({}, {});
  return typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value);
}

/** One help line per question: description, choices and default. */
export function optionHelp(question: Question): string {
  const choices = question.kind === 'select' ? `; choices: ${question.choicesText ?? question.allValues.join(', ')}` : '';
  return `${question.description}${choices}; default: ${defaultHelp(question)}`;
}

function addAnswerOptions(command: Command): void {
  for (const question of questions) {
    if (question.kind === 'confirm') {
      command.addOption(new Option(`--${question.key}`, optionHelp(question)));
      command.addOption(new Option(`--no-${question.key}`, `Turn off: ${question.description}`));
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

const programHelp = `
Examples:
  $ mlforge new churn-model                       # ask on a terminal, then write ./churn-model
  $ mlforge new churn-model --yes                 # all defaults: aws, github, fastapi, rolling
  $ mlforge new svc --config answers.yml --dry-run   # preview the tree; write nothing
  $ mlforge doctor churn-model                    # check a generated repository
  $ mlforge schema > answers.schema.json          # JSON Schema of --config files

Run \`mlforge help <command>\` for every option of a command.`;

const doctorHelp = `
Exit status: 0 when every check passed or was skipped, 1 when any failed,
2 for usage errors (no such directory, no readable .mlforge.yml).

Examples:
  $ mlforge doctor                      # the repository in the current directory
  $ mlforge doctor ../churn-model --only agreement,practice
  $ mlforge doctor --json | jq '.checks[] | select(.status == "failed")'`;

const updateHelp = `
Exit status: 0 clean or nothing to do; 1 conflicts left (or predicted by --dry-run),
or drift under --check; 2 usage; 3 the repository's state forbids it (not generated
by mlforge, uncommitted changes without --allow-dirty, unresolved markers).

Examples:
  $ mlforge update --dry-run                 # what would change, file by file
  $ mlforge update ../churn-model --set cloud=gcp --set region=europe-west1
  $ mlforge update --check                   # in CI: drift from .mlforge.yml fails`;

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('mlforge')
    .description('Scaffold a production-ready machine-learning service repository.')
    .version(mlforgeVersion, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
    })
    .showSuggestionAfterError(true)
    .addHelpText('after', programHelp);

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
    .command('doctor')
    .argument('[directory]', 'repository generated by mlforge (default: the current directory)')
    .description('Check a generated repository: its files, cross-file agreement, validators and best practices (read-only, safe on a stranger\'s repository)')
    .option('--only <checks>', 'comma-separated groups (repository, agreement, validator, practice) or check ids to run')
    .option('--json', 'print every check and finding as one JSON document on stdout')
    .option('-q, --quiet', 'print only failed checks')
    .addHelpText('after', doctorHelp)
    .exitOverride()
    .action(async (directory: string | undefined, options: { only?: string; json?: boolean; quiet?: boolean }) => {
      const { runDoctorCommand } = await import('./commands/doctor-command.js');
      const only = options.only?.split(',').map((item) => item.trim()).filter(Boolean);
      await runDoctorCommand(directory, { json: options.json === true, quiet: options.quiet === true, ...(only ? { only } : {}) }, ctx);
    });

  program
    .command('update')
    .argument('[directory]', 'repository generated by mlforge (default: the current directory)')
    .description('Bring a generated repository up to this mlforge, or change answers (--set), merging with your edits')
    .option('--set <key=value>', 'change an answer (repeatable; the same rules as `new`)', (value: string, previous: string[]) => [...previous, value], [])
    .option('--dry-run', 'print per-file verdicts and exit as the real run would; write nothing')
    .option('--check', 'for CI: fail on conflict markers, edited template-owned files, or hashes that no longer reproduce')
    .option('--allow-dirty', 'run even with uncommitted changes in the repository')
    .option('--json', 'print the verdicts as one JSON document on stdout')
    .option('-q, --quiet', 'print only errors')
    .addHelpText('after', updateHelp)
    .exitOverride()
    .action(async (directory: string | undefined, options: { set: string[]; dryRun?: boolean; check?: boolean; allowDirty?: boolean; json?: boolean; quiet?: boolean }) => {
      const { runUpdateCommand } = await import('./commands/update-command.js');
      await runUpdateCommand(
        directory,
        { set: options.set, dryRun: options.dryRun === true, check: options.check === true, allowDirty: options.allowDirty === true, json: options.json === true, quiet: options.quiet === true },
        ctx,
      );
    });

  const add = program
    .command('add')
    .argument('[capability]', `capability to add: ${capabilityNames.join(', ')}`)
    .argument('[directory]', 'repository generated by mlforge (default: the current directory)')
    .description('Add (or with --no-<capability>, remove) a capability, changing nothing else')
    .option('--dry-run', 'print per-file verdicts and exit as the real run would; write nothing')
    .option('--allow-dirty', 'run even with uncommitted changes in the repository')
    .option('--json', 'print the verdicts as one JSON document on stdout')
    .option('-q, --quiet', 'print only errors')
    .exitOverride();
  for (const name of capabilityNames) add.option(`--no-${name}`, `remove ${name}`);
  add.action(async (first: string | undefined, second: string | undefined, options: Record<string, unknown>) => {
    const { runAddCommand } = await import('./commands/add-command.js');
    const removed = capabilityNames.filter((name) => options[name] === false);
    if (removed.length + (removed.length === 0 && first ? 1 : 0) !== 1 || (removed.length === 1 && second !== undefined)) {
      const { UsageError } = await import('./errors.js');
      throw new UsageError('Give exactly one capability: `mlforge add <capability> [directory]` or `mlforge add --no-<capability> [directory]`.', { field: 'capability' });
    }
    const [name, directory] = removed.length === 1 ? [`no-${removed[0]}`, first] : [first!, second];
    await runAddCommand(name, directory, { dryRun: options.dryRun === true, allowDirty: options.allowDirty === true, json: options.json === true, quiet: options.quiet === true }, ctx);
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
