// Terraform validators: `terraform fmt -check`, an HCL parse of every file
// (@cdktf/hcl2json) and `terraform validate` after a normal
// `terraform init -backend=false`. Both tools run on a temporary copy, so the
// repository never gets a .terraform/. init installs providers the way the
// user's Terraform is configured to (TF_CLI_CONFIG_FILE or ~/.terraformrc
// provider_installation, a filesystem or network mirror, TF_PLUGIN_CACHE_DIR,
// else the public registry), and only hashicorp/* providers and local modules:
// a stranger's repository cannot make doctor download and run other code.

import { join, posix, sep } from 'node:path';
import { missingFile, outcome, skippedOutcome, type CheckOutcome } from '../check-result.js';
import { parsedHcl } from '../parse/terraform.js';
import { requireOptional } from '../tools/optional-module.js';
import { withWorkCopy } from '../tools/work-copy.js';
import type { Rule, Finding, RepoView } from '../types.js';

type Hcl2Json = typeof import('@cdktf/hcl2json');
const loadHcl = (check: string) => requireOptional<Hcl2Json>('@cdktf/hcl2json', check);

const terraformSource = /\.tf$/;
/** HCL files Terraform reads: configuration, variable values and backend settings. */
const hclSource = /\.(tf|tfvars|tfbackend)$/;
const formatFix = 'Run `terraform fmt -recursive` in that directory and commit the result.';
/** Terraform must neither prompt, nor phone home, nor take extra arguments from the user's TF_CLI_ARGS. */
const terraformEnv = { TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1', TF_CLI_ARGS: '', TF_CLI_ARGS_init: '', TF_CLI_ARGS_validate: '', TF_CLI_ARGS_fmt: '' };

export const terraformFmtCheck: Rule = {
  title: 'Terraform is formatted (terraform fmt -check -recursive)',
  applies: hasTerraform,
  inapplicableReason: noTerraformReason,
  async run(repo) {
    const missing = missingTerraform(repo);
    if (missing) return missing;
    const tool = await repo.tools.probe('terraform');
    if (!tool.ok) return skippedOutcome(tool.reason);
    const files = repo.files.filter((file) => /\.(tf|tfvars|tftest\.hcl)$/.test(file));
    return withWorkCopy(repo, files, async (copy) => {
      const findings: Finding[] = [];
      for (const dir of topDirectories(terraformFiles(repo))) {
        const result = await repo.tools.run('terraform', ['fmt', '-check', '-recursive', '-diff', '-no-color', dir], { cwd: copy, env: terraformEnv });
        if (result.exitCode === 0) continue;
        if (result.exitCode === 3) findings.push(...unformattedFindings(result.stdout, dir));
        else findings.push(...diagnosticFindings(result.stderr, dir, 'terraform fmt could not read the file'));
      }
      return outcome(findings);
    });
  },
};

export const terraformParseCheck: Rule = {
  title: 'Every Terraform file parses as HCL (@cdktf/hcl2json)',
  applies: hasTerraform,
  inapplicableReason: noTerraformReason,
  async run(repo) {
    const missing = missingTerraform(repo);
    if (missing) return missing;
    const { parse: parseHcl } = await loadHcl('validator.terraform-parse');
    const findings: Finding[] = [];
    const files = repo.files.filter((file) => hclSource.test(file));
    // The parser runs in one WebAssembly instance: one file at a time.
    for (const file of files) {
      const result = await parsedHcl(repo, file, parseHcl);
      if (!result.ok) findings.push(parseErrorFinding(file, result.error));
    }
    return outcome(findings, `${files.length} files parsed`);
  },
};

export const terraformValidateCheck: Rule = {
  title: 'Terraform roots validate (terraform init -backend=false, terraform validate)',
  applies: hasTerraform,
  inapplicableReason: noTerraformReason,
  run: validateRoots,
};

/** Provider namespaces doctor lets terraform init install (every provider mlforge generates is one). */
const trustedProvider = /^registry\.terraform\.io\/hashicorp\/[a-z0-9-]+$/;

async function validateRoots(repo: RepoView): Promise<CheckOutcome> {
  const absent = missingTerraform(repo);
  if (absent) return absent;
  const tool = await repo.tools.probe('terraform');
  if (!tool.ok) return skippedOutcome(tool.reason);
  const files = terraformFiles(repo);
  const sources = await terraformSources(repo, files);
  const untrusted = [...sources.providers.filter((provider) => !trustedProvider.test(provider)), ...sources.remoteModules];
  if (untrusted.length > 0) {
    return skippedOutcome(
      `not run: the configuration asks terraform init to download ${untrusted.join(', ')}; doctor installs only hashicorp/* providers and local modules, so a repository cannot make it fetch and run other code`,
    );
  }
  const roots = rootDirectories(files);
  // Lock files stay behind: they pin hashes of one installation, which a mirror of another patch release would not match.
  const copied = treeFiles(repo, files).filter((file) => !file.endsWith('.terraform.lock.hcl'));
  return withWorkCopy(repo, copied, async (copy) => {
    const validated = await Promise.all(roots.map((root) => validateRoot(repo, copy, root)));
    const uninstallable = validated.find((result) => 'skipped' in result);
    if (uninstallable && 'skipped' in uninstallable) return skippedOutcome(`${uninstallable.skipped}; ${repo.answers.cloud} was format-checked, parsed and checked against its provider schema (validator.terraform-schema)`);
    const findings = validated.flatMap((result) => ('findings' in result ? result.findings : []));
    return outcome(findings, `${roots.length} roots validated: ${roots.join(', ')}`);
  });
}

async function validateRoot(repo: RepoView, copy: string, root: string): Promise<{ findings: Finding[] } | { skipped: string }> {
  const cwd = join(copy, root);
  const env = { ...terraformEnv, TF_DATA_DIR: join(cwd, '.terraform') };
  const init = await repo.tools.run('terraform', ['init', '-backend=false', '-input=false', '-no-color'], { cwd, env, timeoutMs: 600_000 });
  if (init.exitCode !== 0) {
    const text = init.stderr || init.stdout;
    const install = providerInstallFailure(text);
    if (install) return { skipped: `terraform init could not install ${install.provider} for ${root}: ${install.cause}; ${installationSource(repo)}` };
    return { findings: diagnosticFindings(text, root, 'terraform init failed') };
  }
  const validate = await repo.tools.run('terraform', ['validate', '-json', '-no-color'], { cwd, env, timeoutMs: 300_000 });
  let report: ValidateReport;
  try {
    report = JSON.parse(validate.stdout) as ValidateReport;
  } catch (error) {
    throw new Error(`terraform validate in ${root} printed no JSON report: ${validate.stderr || validate.stdout}`, { cause: error });
  }
  // Warnings count too: a deprecated argument in generated code is a defect.
  return {
    findings: report.diagnostics.map((diagnostic) => ({
      file: diagnostic.range ? posix.normalize(posix.join(root, diagnostic.range.filename.split(sep).join('/'))) : root,
      ...(diagnostic.range ? { line: diagnostic.range.start.line } : {}),
      message: `${diagnostic.severity}: ${diagnostic.summary}${diagnostic.detail ? ` — ${oneLine(diagnostic.detail)}` : ''}`,
      fix: 'Correct the argument, reference or type Terraform names (see the provider documentation), then run `terraform validate` again.',
    })),
  };
}

/** Which provider init could not get and why (registry unreachable, not in the mirror), or undefined for a configuration error. */
export function providerInstallFailure(text: string): { provider: string; cause: string } | undefined {
  if (!/Failed to query available provider packages|Failed to install provider|Could not retrieve the list of available versions|Incompatible provider version|was not found in any of the search locations/i.test(text)) return undefined;
  const detail = oneLine(text.replace(/^[\s\S]*?Error: [^\n]*\n/, ''));
  const provider = /provider (?:registry\.terraform\.io\/)?([\w-]+\/[\w-]+)/.exec(detail)?.[1] ?? 'a provider';
  const afterName = detail.indexOf(`${provider}: `);
  const cause = afterName >= 0 ? detail.slice(afterName + provider.length + 2) : detail;
  const cut = cause.search(/ To see which modules| Terraform checked all of the plugin directories/);
  return { provider, cause: (cut > 0 ? cause.slice(0, cut) : cause).replace(/\.$/, '').slice(0, 400) };
}

/** Where the user's Terraform installs providers from, for the skip reason. */
function installationSource(repo: RepoView): string {
  const configured = repo.tools.environment('TF_CLI_CONFIG_FILE');
  const cache = repo.tools.environment('TF_PLUGIN_CACHE_DIR');
  const from = [configured ? `CLI configuration TF_CLI_CONFIG_FILE=${configured}` : 'CLI configuration ~/.terraformrc if present', ...(cache ? [`plugin cache ${cache}`] : [])].join(', ');
  return `providers are installed as your Terraform is configured (${from}): give it access to registry.terraform.io, or a provider_installation mirror that holds them`;
}

interface ValidateReport {
  valid: boolean;
  diagnostics: Array<{
    severity: 'error' | 'warning';
    summary: string;
    detail?: string;
    range?: { filename: string; start: { line: number; column: number } };
  }>;
}

// ---- which files and directories ------------------------------------------------

export function hasTerraform(repo: RepoView): boolean {
  return repo.answers.cloud !== 'local' || terraformFiles(repo).length > 0;
}

export function noTerraformReason(): string {
  return 'cloud local has no Terraform';
}

/** A cloud repository whose Terraform is gone fails; it never passes with nothing checked. */
export function missingTerraform(repo: RepoView): CheckOutcome | undefined {
  if (terraformFiles(repo).length > 0) return undefined;
  return outcome([missingFile('infra/terraform/main.tf', `cloud ${repo.answers.cloud} is provisioned by the Terraform in infra/terraform`)]);
}

function terraformFiles(repo: RepoView): string[] {
  return repo.files.filter((file) => terraformSource.test(file));
}

function directoryOf(file: string): string {
  const dir = posix.dirname(file);
  return dir === '' ? '.' : dir;
}

/** The smallest set of directories whose trees hold every file. */
function topDirectories(files: readonly string[]): string[] {
  const dirs = [...new Set(files.map(directoryOf))].sort();
  return dirs.filter((dir) => !dirs.some((other) => other !== dir && (other === '.' || dir.startsWith(`${other}/`))));
}

/** Directories Terraform runs in: every one with .tf files that is not under a modules/ folder. */
function rootDirectories(files: readonly string[]): string[] {
  return [...new Set(files.map(directoryOf))].filter((dir) => !/(^|\/)modules(\/|$)/.test(dir)).sort();
}

/** Every file in the trees that hold Terraform (modules are referenced by relative paths). */
function treeFiles(repo: RepoView, files: readonly string[]): string[] {
  const tops = topDirectories(files);
  return repo.files.filter((file) => tops.some((top) => top === '.' || file.startsWith(`${top}/`)));
}

/** Provider addresses (`registry.terraform.io/hashicorp/aws`) and remote module sources the configuration names. */
async function terraformSources(repo: RepoView, files: readonly string[]): Promise<{ providers: string[]; remoteModules: string[] }> {
  const { parse: parseHcl } = await loadHcl('validator.terraform-validate');
  const providers = new Set<string>();
  const remoteModules = new Set<string>();
  for (const file of files) {
    let json: Record<string, unknown>;
    try {
      json = (await parseHcl(file, await repo.read(file))) as Record<string, unknown>;
    } catch {
      continue; // the parse check reports it; terraform init will too
    }
    for (const block of asList(json.terraform)) {
      for (const required of asList((block as Record<string, unknown>).required_providers)) {
        for (const [name, requirement] of Object.entries(required as Record<string, unknown>)) {
          const source = typeof requirement === 'object' && requirement !== null ? (requirement as { source?: unknown }).source : undefined;
          providers.add(normaliseSource(typeof source === 'string' ? source : name));
        }
      }
    }
    for (const calls of asList(json.module)) {
      for (const bodies of Object.values(calls as Record<string, unknown>)) {
        for (const body of asList(bodies)) {
          const source = (body as { source?: unknown }).source;
          if (typeof source !== 'string' || !/^\.\.?\//.test(source)) remoteModules.add(`module source ${String(source)}`);
        }
      }
    }
  }
  return { providers: [...providers].sort(), remoteModules: [...remoteModules].sort() };
}

/** `aws`, `hashicorp/aws` and `registry.terraform.io/hashicorp/aws` as one full address. */
function normaliseSource(source: string): string {
  const parts = source.toLowerCase().split('/');
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${parts[0]}`;
  if (parts.length === 2) return `registry.terraform.io/${parts.join('/')}`;
  return parts.join('/');
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

// ---- turning tool output into findings --------------------------------------------

/** `terraform fmt -diff` output: a file name line, then a unified diff per unformatted file. */
function unformattedFindings(stdout: string, dir: string): Finding[] {
  const findings: Finding[] = [];
  const lines = stdout.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const name = lines[index]!;
    if (!/\.(tf|tfvars|tftest\.hcl)$/.test(name) || !lines[index + 1]?.startsWith('--- ')) continue;
    const file = relativeToRepo(name, dir);
    findings.push({ file, line: firstChangedLine(lines, index + 3), message: `${file} is not formatted as \`terraform fmt\` writes it.`, fix: formatFix });
  }
  return findings;
}

/** First changed line of the old file in the hunks that start at `index`. */
function firstChangedLine(lines: readonly string[], index: number): number | undefined {
  const header = /^@@ -(\d+)/.exec(lines[index] ?? '');
  if (!header) return undefined;
  let line = Number(header[1]);
  for (let i = index + 1; i < lines.length && !lines[i]!.startsWith('@@'); i++) {
    if (lines[i]!.startsWith('-') || lines[i]!.startsWith('+')) return line;
    line++;
  }
  return undefined;
}

/** Terraform's human diagnostics: `Error: <summary>` ... `on <file> line <n>`. */
function diagnosticFindings(text: string, dir: string, fallback: string): Finding[] {
  const findings: Finding[] = [];
  const blocks = text.split(/\n(?=(?:│ )?(?:Error|Warning): )/);
  for (const block of blocks) {
    const summary = /(?:Error|Warning): (.+)/.exec(block)?.[1]?.trim();
    if (!summary) continue;
    const where = /on (\S+) line (\d+)/.exec(block);
    findings.push({
      file: where ? relativeToRepo(where[1]!, dir) : dir,
      ...(where ? { line: Number(where[2]) } : {}),
      message: `${summary}${where ? '' : ` (${oneLine(block)})`}`,
      fix: 'Fix the syntax Terraform reports, then run `terraform fmt` and `terraform validate`.',
    });
  }
  return findings.length > 0 ? findings : [{ file: dir, message: `${fallback}: ${oneLine(text)}` }];
}

/** Terraform prints paths relative to where it ran, or as given on the command line. */
function relativeToRepo(name: string, dir: string): string {
  const normalised = name.split(sep).join('/');
  if (normalised === dir || normalised.startsWith(`${dir}/`)) return normalised;
  return posix.normalize(posix.join(dir, normalised));
}

function parseErrorFinding(file: string, error: unknown): Finding {
  const message = oneLine(String((error as Error)?.message ?? error));
  // hcl2json reports `parse config: [<file>:<line>,<column>-<line>,<column>: <summary>; <detail>]`.
  const where = /:(\d+),(\d+)(?:-\d+(?:,\d+)?)?: ([^\]]*)/.exec(message);
  return {
    file,
    ...(where ? { line: Number(where[1]) } : {}),
    message: where ? `line ${where[1]}, column ${where[2]}: ${where[3]}` : message,
    fix: 'Fix the HCL syntax at that position (unbalanced braces or quotes, a missing `=`, a stray character).',
  };
}

function oneLine(text: string): string {
  return text.replace(/[│╷╵]/g, '').replace(/\s+/g, ' ').trim();
}

