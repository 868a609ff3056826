// No credentials in the repository: private keys, cloud access keys, service
// account key files, storage connection strings, API tokens and .env files.
// Only files that are (or would be) committed are scanned: with git, tracked
// and untracked-but-not-ignored files; without git, every file. git runs with
// the repository's configuration neutralised (no fsmonitor, hooks or pager).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { outcome } from '../check-result.js';
import { safeGitArgs, safeGitEnv } from '../tools/git-args.js';
import type { Rule, Finding, RepoView } from '../types.js';

interface SecretRule {
  what: string;
  pattern: RegExp;
}

export const secretRules: readonly SecretRule[] = [
  { what: 'a private key', pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY( BLOCK)?-----/ },
  { what: 'an AWS access key ID', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/ },
  { what: 'an AWS secret access key', pattern: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}\b/i },
  { what: 'a Google service-account key', pattern: /"type"\s*:\s*"service_account"[\s\S]{0,2000}"private_key"\s*:|"private_key_id"\s*:\s*"[0-9a-f]{40}"/ },
  { what: 'a Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { what: 'an Azure storage connection string', pattern: /AccountKey=[A-Za-z0-9+/]{60,}={0,2}/ },
  { what: 'an Azure client secret', pattern: /\b(?:AZURE_CLIENT_SECRET|client_secret|clientSecret)["']?\s*[:=]\s*["']?[A-Za-z0-9_~.-]{34,}/ },
  { what: 'a GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b/ },
  { what: 'a GitLab token', pattern: /\bgl(?:pat|dt|rt|cbt|ptt)-[A-Za-z0-9_-]{20,}\b/ },
  { what: 'a Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/ },
  { what: 'a Stripe secret key', pattern: /\b[sr]k_live_[A-Za-z0-9]{20,}\b/ },
  { what: 'a password in a connection URL', pattern: /\b(?:postgres(?:ql)?|mysql|mongodb(?:\+srv)?|redis|amqp):\/\/[^:\s/@]+:(?!\$|\{|<|password@|changeme@|mlflow@|\*)[^@\s/]{3,}@/ },
];

/** Example and template files hold placeholders, not credentials. */
const envFile = /(^|\/)\.env(\.[^/]*)?$/;
const envExample = /\.(example|sample|template|dist)$/;
const keyFile = /(^|\/)(id_rsa|id_dsa|id_ecdsa|id_ed25519)$|\.(pem|p12|pfx|key|jks|keystore)$/;
const maxBytes = 1_000_000;

export const noSecretsCheck: Rule = {
  title: 'No secrets committed (keys, tokens, credentials, .env files)',
  applies: () => true,
  async run(repo) {
    const { files, note } = await committedFiles(repo);
    const findings: Finding[] = [];
    for (const file of files) {
      if (envFile.test(file) && !envExample.test(file)) {
        findings.push({ file, message: `${file} is an environment file that would be committed.`, fix: `Remove it from git, add it to .gitignore and commit a ${file}.example with placeholders instead.` });
        continue;
      }
      if (keyFile.test(file)) {
        findings.push({ file, message: `${file} looks like a key or certificate store.`, fix: 'Remove it from the repository (and its history); keep keys in a secret manager.' });
        continue;
      }
      const text = await readText(repo, file);
      if (text === undefined) continue;
      text.split('\n').forEach((line, index) => {
        for (const rule of secretRules) {
          if (rule.pattern.test(line)) {
            findings.push({ file, line: index + 1, message: `Line contains ${rule.what}.`, fix: 'Remove it, rotate the credential, and read it from a secret store or CI secret instead.' });
            break;
          }
        }
      });
      // Multi-line JSON key files: the service-account pattern spans lines.
      if (file.endsWith('.json') && secretRules[3]!.pattern.test(text) && !findings.some((finding) => finding.file === file)) {
        findings.push({ file, message: 'File is a Google service-account key.', fix: 'Delete it, revoke the key and use workload identity federation.' });
      }
    }
    return outcome(findings, `${files.length} files scanned${note}`);
  },
};

async function readText(repo: RepoView, file: string): Promise<string | undefined> {
  const text = await repo.read(file).catch(() => undefined);
  if (text === undefined || text.length > maxBytes || text.includes('\u0000')) return undefined;
  return text;
}

async function committedFiles(repo: RepoView): Promise<{ files: string[]; note: string }> {
  if (existsSync(join(repo.root, '.git')) && (await repo.tools.probe('git')).ok) {
    // --git-dir/--work-tree instead of cwd: git reads nothing from the process's own directory.
    const result = await repo.tools.run(
      'git',
      [...safeGitArgs, `--git-dir=${join(repo.root, '.git')}`, `--work-tree=${repo.root}`, 'ls-files', '--cached', '--others', '--exclude-standard', '-z'],
      { env: safeGitEnv, timeoutMs: 20_000 },
    );
    if (result.exitCode === 0) {
      const listed = new Set(result.stdout.split('\0').filter(Boolean));
      return { files: repo.files.filter((file) => listed.has(file)), note: ' (tracked or not ignored by git)' };
    }
  }
  const ignored = repo.exists('.gitignore') ? await ignoredEnvPatterns(repo) : [];
  return { files: repo.files.filter((file) => !(envFile.test(file) && ignored.some((pattern) => pattern.test(file)))), note: ' (no git repository: every file)' };
}

/** Without git, honour the .gitignore lines that name .env files (the common case). */
async function ignoredEnvPatterns(repo: RepoView): Promise<RegExp[]> {
  return (await repo.read('.gitignore'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.includes('.env') && !line.startsWith('#') && !line.startsWith('!'))
    .map((line) => new RegExp(`(^|/)${line.replace(/^\//, '').replace(/[.+?^$()|[\]\\{}]/g, '\\$&').replace(/\*/g, '[^/]*')}$`));
}
