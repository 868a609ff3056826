// Terraform validators: `terraform fmt -check`, an HCL parse of every file
// (@cdktf/hcl2json) and `terraform validate` against a local provider mirror.
// Validation runs in a temporary copy so the repository never gets a .terraform/.

import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix, sep } from 'node:path';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { execa } from 'execa';
import { missingFile, outcome, skippedOutcome, type CheckOutcome } from '../check-result.js';
import type { Check, Finding, RepoView } from '../types.js';

const terraformSource = /\.tf$/;
/** HCL files Terraform reads: configuration, variable values and backend settings. */
const hclSource = /\.(tf|tfvars|tfbackend)$/;
const formatFix = 'Run `terraform fmt -recursive` in that directory and commit the result.';

export const terraformFmtCheck: Check = {
  id: 'validator.terraform-fmt',
  title: 'Terraform is formatted (terraform fmt -check -recursive)',
  group: 'validator',
  applies: hasTerraform,
  inapplicableReason: noTerraformReason,
  async run(repo) {
    const missing = missingTerraform(repo);
    if (missing) return missing;
    const tool = await terraformTool();
    if (!tool) return skippedOutcome('terraform not available');
    try {
      const findings: Finding[] = [];
      for (const dir of topDirectories(terraformFiles(repo))) {
        const result = await tool.run(['fmt', '-check', '-recursive', '-diff', '-no-color', dir], repo.root);
        if (result.exitCode === 0) continue;
        if (result.exitCode === 3) findings.push(...unformattedFindings(result.stdout, dir));
        else findings.push(...diagnosticFindings(result.stderr, dir, 'terraform fmt could not read the file'));
      }
      return outcome(findings);
    } finally {
      await tool.dispose();
    }
  },
};

export const terraformParseCheck: Check = {
  id: 'validator.terraform-parse',
  title: 'Every Terraform file parses as HCL (@cdktf/hcl2json)',
  group: 'validator',
  applies: hasTerraform,
  inapplicableReason: noTerraformReason,
  async run(repo) {
    const missing = missingTerraform(repo);
    if (missing) return missing;
    const findings: Finding[] = [];
    const files = repo.files.filter((file) => hclSource.test(file));
    // The parser runs in one WebAssembly instance: one file at a time.
    for (const file of files) {
      try {
        await parseHcl(file, await repo.read(file));
      } catch (error) {
        findings.push(parseErrorFinding(file, error));
      }
    }
    return outcome(findings, `${files.length} files parsed`);
  },
};

export interface TerraformValidateOptions {
  /** Directory laid out as a filesystem mirror (registry.terraform.io/<namespace>/<type>/<version>/<platform>). */
  pluginDir: string;
}

export function createTerraformValidateCheck(options: TerraformValidateOptions): Check {
  return {
    id: 'validator.terraform-validate',
    title: 'Terraform roots validate (terraform init -backend=false, terraform validate)',
    group: 'validator',
    applies: hasTerraform,
    inapplicableReason: noTerraformReason,
    run: (repo) => validateRoots(repo, options.pluginDir),
  };
}

export const terraformValidateCheck: Check = createTerraformValidateCheck({ pluginDir: '/opt/tf-plugins' });

async function validateRoots(repo: RepoView, pluginDir: string): Promise<CheckOutcome> {
  const absent = missingTerraform(repo);
  if (absent) return absent;
  const files = terraformFiles(repo);
  if (!existsSync(pluginDir)) return skippedOutcome(`provider mirror ${pluginDir} not available`);
  const required = await requiredProviders(repo, files);
  const mirrored = await mirroredProviders(pluginDir);
  const missing = required.filter((provider) => !mirrored.includes(provider));
  if (missing.length > 0) {
    const held = mirrored.length === 0 ? `provider mirror ${pluginDir} holds no provider` : `only ${mirrored.join(', ')} ${mirrored.length === 1 ? 'is' : 'are'} mirrored offline`;
    return skippedOutcome(`${held}; ${repo.answers.cloud} was format-checked and parsed (${missing.join(', ')} cannot be installed here)`);
  }
  const tool = await terraformTool();
  if (!tool) return skippedOutcome('terraform not available');
  const work = await mkdtemp(join(tmpdir(), 'mlforge-tf-validate-'));
  try {
    await copyTerraformTrees(repo, files, work);
    const findings: Finding[] = [];
    const roots = rootDirectories(files);
    for (const root of roots) findings.push(...(await validateRoot(tool, work, root, pluginDir)));
    return outcome(findings, `${roots.length} roots validated: ${roots.join(', ')}`);
  } finally {
    await tool.dispose();
    await rm(work, { recursive: true, force: true });
  }
}

async function validateRoot(tool: TerraformTool, work: string, root: string, pluginDir: string): Promise<Finding[]> {
  const cwd = join(work, root);
  const init = await tool.run(['init', '-backend=false', '-input=false', '-no-color', `-plugin-dir=${pluginDir}`], cwd);
  if (init.exitCode !== 0) return diagnosticFindings(init.stderr || init.stdout, root, 'terraform init failed');
  const validate = await tool.run(['validate', '-json', '-no-color'], cwd);
  let report: ValidateReport;
  try {
    report = JSON.parse(validate.stdout) as ValidateReport;
  } catch (error) {
    throw new Error(`terraform validate in ${root} printed no JSON report: ${validate.stderr || validate.stdout}`, { cause: error });
  }
  // Warnings count too: a deprecated argument in generated code is a defect.
  return report.diagnostics.map((diagnostic) => ({
    file: diagnostic.range ? posix.normalize(posix.join(root, diagnostic.range.filename.split(sep).join('/'))) : root,
    ...(diagnostic.range ? { line: diagnostic.range.start.line } : {}),
    message: `${diagnostic.severity}: ${diagnostic.summary}${diagnostic.detail ? ` — ${oneLine(diagnostic.detail)}` : ''}`,
    fix: 'Correct the argument, reference or type Terraform names (see the provider documentation), then run `terraform validate` again.',
  }));
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

// ---- the terraform binary, with a private, empty CLI configuration -------------

interface TerraformTool {
  run(args: string[], cwd: string): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  dispose(): Promise<void>;
}

async function terraformTool(): Promise<TerraformTool | undefined> {
  const home = await mkdtemp(join(tmpdir(), 'mlforge-tf-'));
  const configFile = join(home, 'terraformrc');
  await writeFile(configFile, '');
  // No update checks, no user configuration or credentials, never a prompt.
  const env = { CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: configFile, TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
  const run: TerraformTool['run'] = async (args, cwd) => {
    const result = await execa('terraform', args, { cwd, env, reject: false, stdin: 'ignore' });
    if (result.failed && result.exitCode === undefined) throw result;
    return { exitCode: result.exitCode ?? 1, stdout: result.stdout, stderr: result.stderr };
  };
  const dispose = () => rm(home, { recursive: true, force: true });
  try {
    await run(['version'], home);
    return { run, dispose };
  } catch {
    await dispose();
    return undefined;
  }
}

// ---- which files and directories ------------------------------------------------

function hasTerraform(repo: RepoView): boolean {
  return repo.answers.cloud !== 'local' || terraformFiles(repo).length > 0;
}

function noTerraformReason(): string {
  return 'cloud local has no Terraform';
}

/** A cloud repository whose Terraform is gone fails; it never passes with nothing checked. */
function missingTerraform(repo: RepoView): CheckOutcome | undefined {
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

/**
 * Copies the trees that hold Terraform (modules are referenced by relative
 * paths). Lock files stay behind: they pin hashes of registry downloads, which
 * an offline mirror of another patch release would not match.
 */
async function copyTerraformTrees(repo: RepoView, files: readonly string[], target: string): Promise<void> {
  const tops = topDirectories(files);
  const inTree = (file: string) =>
    !file.endsWith('.terraform.lock.hcl') && tops.some((top) => top === '.' || file.startsWith(`${top}/`));
  for (const file of repo.files.filter(inTree)) {
    await cp(join(repo.root, file), join(target, file), { force: true });
  }
}

/** Provider addresses (`hashicorp/aws`) the configuration requires. */
async function requiredProviders(repo: RepoView, files: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const file of files) {
    let json: Record<string, unknown>;
    try {
      json = (await parseHcl(file, await repo.read(file))) as Record<string, unknown>;
    } catch {
      continue; // the parse check reports it; terraform init will too
    }
    for (const block of asList(json.terraform)) {
      for (const providers of asList((block as Record<string, unknown>).required_providers)) {
        for (const [name, requirement] of Object.entries(providers as Record<string, unknown>)) {
          const source = typeof requirement === 'object' && requirement !== null ? (requirement as { source?: unknown }).source : undefined;
          found.add(normaliseSource(typeof source === 'string' ? source : name));
        }
      }
    }
  }
  return [...found].sort();
}

function normaliseSource(source: string): string {
  const parts = source.toLowerCase().split('/');
  if (parts.length === 1) return `hashicorp/${parts[0]}`;
  return parts.slice(-2).join('/');
}

/** Providers present in a filesystem mirror, as `namespace/type`. */
async function mirroredProviders(pluginDir: string): Promise<string[]> {
  const found: string[] = [];
  for (const host of await subdirectories(pluginDir)) {
    for (const namespace of await subdirectories(join(pluginDir, host))) {
      for (const type of await subdirectories(join(pluginDir, host, namespace))) found.push(`${namespace}/${type}`);
    }
  }
  return found.sort();
}

async function subdirectories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
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

