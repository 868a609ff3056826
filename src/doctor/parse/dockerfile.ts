// The root Dockerfile as build stages of instructions with 1-based lines,
// parsed by dockerfile-ast (variables from ARG/ENV expanded where it can).

import type { From } from 'dockerfile-ast';
import { requireOptional } from '../tools/optional-module.js';
import type { RepoView } from '../types.js';
import { oncePerRepo } from './per-repo.js';

type DockerfileAst = typeof import('dockerfile-ast');
let ast: DockerfileAst | undefined;

/** Loads the optional dockerfile-ast parser; parseDockerfile needs it loaded. */
export async function loadDockerfileParser(check = 'Dockerfile'): Promise<void> {
  ast ??= await requireOptional<DockerfileAst>('dockerfile-ast', check);
}

export const dockerfilePath = 'Dockerfile';

export interface DockerInstruction {
  keyword: string;
  /** Arguments with ARG/ENV variables expanded. */
  args: string[];
  /** The instruction's argument text as written (continuations joined). */
  text: string;
  line: number;
}

export interface DockerStage {
  image: string;
  imageName: string;
  tag: string | undefined;
  digest: string | undefined;
  alias: string | undefined;
  line: number;
  instructions: DockerInstruction[];
}

export function parseDockerfile(text: string): DockerStage[] {
  if (!ast) throw new Error('parseDockerfile: call loadDockerfileParser() first');
  const dockerfile = ast.DockerfileParser.parse(text);
  const initialArgs = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    const value = property?.getValue();
    if (property && value !== null && value !== undefined) initialArgs.set(property.getName(), value);
  }
  const stages: DockerStage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword().toUpperCase();
    const line = instruction.getRange().start.line + 1;
    if (keyword === 'FROM') {
      const from = instruction as From;
      // FROM may use ARGs declared before the first stage: `FROM python:${PYTHON_VERSION}-slim`.
      const image = expandArgs(from.getImage() ?? '', initialArgs);
      const reference = /^((?:[^/]+\/)*[^:@/]+)(?::([^@]+))?(?:@(.+))?$/.exec(image);
      stages.push({
        image,
        imageName: reference?.[1] ?? image,
        tag: reference?.[2],
        digest: reference?.[3],
        alias: from.getBuildStage() ?? undefined,
        line,
        instructions: [],
      });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) continue;
    stage.instructions.push({
      keyword,
      args: instruction.getExpandedArguments().map((argument) => argument.getValue()),
      text: instruction.getArgumentsContent() ?? '',
      line,
    });
  }
  return stages;
}

function expandArgs(text: string, args: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced?: string, bare?: string) => {
    return args.get((braced ?? bare)!) ?? whole;
  });
}

/** The service Dockerfile's stages, parsed once per RepoView. */
export async function readDockerfile(repo: RepoView): Promise<DockerStage[] | undefined> {
  if (!repo.exists(dockerfilePath)) return undefined;
  await loadDockerfileParser();
  return oncePerRepo(repo, `dockerfile:${dockerfilePath}`, async () => parseDockerfile(await repo.read(dockerfilePath)));
}

/** The stage the image is built from: the last one. */
export function finalStage(stages: readonly DockerStage[]): DockerStage | undefined {
  return stages[stages.length - 1];
}

/** HTTP URLs inside HEALTHCHECK commands, with their port and path. */
export function healthcheckUrls(stage: DockerStage): Array<{ port: number | undefined; path: string; line: number }> {
  const out: Array<{ port: number | undefined; path: string; line: number }> = [];
  for (const instruction of stage.instructions) {
    if (instruction.keyword !== 'HEALTHCHECK') continue;
    for (const match of instruction.text.matchAll(/https?:\/\/[A-Za-z0-9.[\]:-]+?(?::(\d+))?(\/[^\s'"\\,)\]]*)/g)) {
      out.push({ port: match[1] ? Number(match[1]) : undefined, path: match[2]!, line: instruction.line });
    }
  }
  return out;
}
