import { describe, expect, it } from 'vitest';
import { resolveAnswers, type Prompter } from '../../src/answers/resolve-answers.js';
import { UsageError } from '../../src/errors.js';
import type { Question } from '../../src/questions/table.js';

/** A scripted prompter that records what it was asked. */
function fakePrompter(replies: Record<string, unknown>): Prompter & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async ask(question: Question, defaultValue: unknown) {
      asked.push(question.key);
      return question.key in replies ? replies[question.key] : defaultValue;
    },
    async confirm() {
      return true;
    },
  };
}

describe('resolveAnswers precedence: flags > config > prompts > defaults', () => {
  it('takes flags over the config file, the config file over prompts, prompts over defaults', async () => {
    const prompter = fakePrompter({ ci: 'gitlab', cloud: 'azure' });
    const answers = await resolveAnswers({
      flags: { name: 'from-flag', cloud: 'gcp' },
      config: { path: 'answers.yml', values: { name: 'from-config', description: 'from config', cloud: 'aws' } },
      prompter,
      yes: false,
      hints: {},
    });
    expect(answers.name).toBe('from-flag');
    expect(answers.description).toBe('from config');
    expect(answers.cloud).toBe('gcp');
    expect(answers.ci).toBe('gitlab');
    expect(answers.python).toBe('3.12');
    expect(prompter.asked).not.toContain('name');
    expect(prompter.asked).not.toContain('cloud');
    expect(prompter.asked).toContain('ci');
    expect(answers.region).toBe('us-central1');
  });

  it('never prompts with --yes', async () => {
    const prompter = fakePrompter({});
    const answers = await resolveAnswers({ flags: {}, prompter, yes: true, hints: { directoryName: 'fraud-api' } });
    expect(prompter.asked).toEqual([]);
    expect(answers.name).toBe('fraud-api');
    expect(answers.author).toBe('fraud-api maintainers');
  });

  it('does not ask inapplicable questions and records their fixed value', async () => {
    const prompter = fakePrompter({ cloud: 'local', serving: 'kserve' });
    const answers = await resolveAnswers({ flags: {}, prompter, yes: false, hints: {} });
    expect(prompter.asked).not.toContain('region');
    expect(prompter.asked).not.toContain('rollout');
    expect(answers.region).toBeNull();
    expect(answers.rollout).toBe('rolling');
  });

  it('without a terminal and without --yes, fails at once naming every missing flag', async () => {
    const error = await resolveAnswers({ flags: { name: 'svc-one' }, yes: false, hints: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as UsageError).message;
    expect(message).toContain('--description');
    expect(message).toContain('--gpu');
    expect(message).not.toContain('--name,');
    expect(message).toContain('--yes');
  });

  it('succeeds without a terminal when every applicable answer is given', async () => {
    const answers = await resolveAnswers({
      flags: {
        name: 'svc-one', description: 'd', author: 'a', python: '3.11', cloud: 'local', ci: 'gitlab',
        serving: 'kserve', monitoring: false, dvc: true, gpu: false,
      },
      yes: false,
      hints: {},
    });
    expect(answers).toMatchObject({ cloud: 'local', region: null, rollout: 'rolling', dvc: true });
  });

  it('rejects a value for a question that does not apply', async () => {
    await expect(resolveAnswers({ flags: { cloud: 'local', region: 'us-east-1' }, yes: true, hints: {} })).rejects.toThrow(
      /--region "us-east-1": it was given, but it does not apply when cloud is local/,
    );
    await expect(resolveAnswers({ flags: { serving: 'kserve', rollout: 'canary' }, yes: true, hints: {} })).rejects.toThrow(
      /canary rollouts need serving fastapi/,
    );
    const answers = await resolveAnswers({ flags: { serving: 'kserve', rollout: 'rolling' }, yes: true, hints: {} });
    expect(answers.rollout).toBe('rolling');
  });

  it('names the config file and key when a config value is invalid', async () => {
    await expect(
      resolveAnswers({ flags: {}, config: { path: 'a.yml', values: { cloud: 'aws', region: 'westeurope' } }, yes: true, hints: {} }),
    ).rejects.toThrow('Invalid "region" in a.yml "westeurope": must be a region for cloud aws such as us-east-1');
  });

  it('validates prompt answers with the same rules', async () => {
    const prompter = fakePrompter({ name: 'Bad Name' });
    await expect(resolveAnswers({ flags: {}, prompter, yes: false, hints: {} })).rejects.toThrow(/Invalid name "Bad Name"/);
  });

  it('takes the name from a directory argument without asking, and refuses one that breaks the rule', async () => {
    const prompter = fakePrompter({});
    const answers = await resolveAnswers({ flags: {}, prompter, yes: false, hints: { directoryName: 'Fraud_Detector' } });
    expect(answers.name).toBe('fraud-detector');
    expect(prompter.asked).not.toContain('name');
    await expect(resolveAnswers({ flags: {}, yes: true, hints: { directoryName: 'json' } })).rejects.toThrow(
      /Invalid name "json": name must not be a Python keyword, a standard-library module or a dependency of the service\. .*--name/,
    );
    await expect(resolveAnswers({ flags: {}, yes: true, hints: { directoryName: '42' } })).rejects.toThrow(/from the directory "42"/);
    // An explicit --name wins over the directory.
    expect((await resolveAnswers({ flags: { name: 'scorer' }, yes: true, hints: { directoryName: 'json' } })).name).toBe('scorer');
  });

  it('defaults the author to the git user name when there is one', async () => {
    expect((await resolveAnswers({ flags: { name: 'svc-a' }, yes: true, hints: { gitUserName: 'Ada Lovelace' } })).author).toBe('Ada Lovelace');
    expect((await resolveAnswers({ flags: { name: 'svc-a' }, yes: true, hints: {} })).author).toBe('svc-a maintainers');
  });

  it('reports each answer as soon as it is known, so the target can be refused before the next question', async () => {
    const prompter = fakePrompter({});
    const seen: string[] = [];
    await expect(
      resolveAnswers({
        flags: {},
        prompter,
        yes: false,
        hints: {},
        onAnswer: (key) => {
          seen.push(key);
          if (key === 'name') throw new Error('target taken');
        },
      }),
    ).rejects.toThrow('target taken');
    expect(seen).toEqual(['name']);
    expect(prompter.asked).toEqual(['name']);
  });

  it('accepts a region that is not listed when it has the cloud’s form, and names the form otherwise', async () => {
    expect((await resolveAnswers({ flags: { cloud: 'aws', region: 'eu-west-2' }, yes: true, hints: {} })).region).toBe('eu-west-2');
    expect((await resolveAnswers({ flags: { cloud: 'aws', region: 'ap-east-7' }, yes: true, hints: {} })).region).toBe('ap-east-7');
    expect((await resolveAnswers({ flags: { cloud: 'gcp', region: 'europe-west12' }, yes: true, hints: {} })).region).toBe('europe-west12');
    await expect(resolveAnswers({ flags: { cloud: 'gcp', region: 'eu-west-2' }, yes: true, hints: {} })).rejects.toThrow(
      /Invalid --region "eu-west-2": must be a region for cloud gcp such as us-central1, us-east1, us-east4 \(any region matching/,
    );
  });
});
