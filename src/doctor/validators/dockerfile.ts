// The Dockerfile through dockerfile-utils' validator (unknown instructions,
// bad flags, malformed JSON forms) plus structural rules read with
// dockerfile-ast: pinned base images, exec-form CMD/ENTRYPOINT, one final
// stage that declares the port.

import { missingFile, outcome } from '../check-result.js';
import { dockerfilePath, finalStage, loadDockerfileParser, parseDockerfile } from '../parse/dockerfile.js';
import { requireOptional } from '../tools/optional-module.js';
import type { Rule, Finding } from '../types.js';

export const dockerfileCheck: Rule = {
  title: 'Dockerfile (dockerfile-utils validate, structure)',
  applies: () => true,
  async run(repo) {
    if (!repo.exists(dockerfilePath)) return outcome([missingFile(dockerfilePath, 'the service image is built from it')]);
    const text = await repo.read(dockerfilePath);
    const { validate } = await requireOptional<typeof import('dockerfile-utils')>('dockerfile-utils', 'validator.dockerfile');
    await loadDockerfileParser('validator.dockerfile');
    const findings: Finding[] = [];
    for (const diagnostic of validate(text)) {
      findings.push({ file: dockerfilePath, line: diagnostic.range.start.line + 1, message: `dockerfile-utils: ${diagnostic.message}`, fix: 'Correct the instruction as the message says.' });
    }
    findings.push(...structureFindings(text));
    return outcome(findings, 'dockerfile-utils');
  },
};

export function structureFindings(text: string): Finding[] {
  const stages = parseDockerfile(text);
  const findings: Finding[] = [];
  const stageNames = new Set(stages.map((stage) => stage.alias).filter(Boolean));
  for (const stage of stages) {
    if (stageNames.has(stage.image) || stage.image === 'scratch') continue;
    if (!stage.digest && (!stage.tag || stage.tag === 'latest')) {
      findings.push({ file: dockerfilePath, line: stage.line, message: `FROM ${stage.image} has no version tag, so builds are not reproducible.`, fix: 'Pin the base image to a version tag (and ideally a digest).' });
    }
  }
  const last = finalStage(stages);
  if (!last) {
    findings.push({ file: dockerfilePath, message: 'The Dockerfile has no FROM instruction.', fix: 'Start each stage with FROM.' });
    return findings;
  }
  for (const instruction of last.instructions) {
    if ((instruction.keyword === 'CMD' || instruction.keyword === 'ENTRYPOINT') && !instruction.text.trim().startsWith('[')) {
      findings.push({
        file: dockerfilePath,
        line: instruction.line,
        message: `${instruction.keyword} uses the shell form: the server runs under /bin/sh and does not receive SIGTERM.`,
        fix: `Write ${instruction.keyword} in exec form: ${instruction.keyword} ["executable", "arg", ...].`,
      });
    }
    if (instruction.keyword === 'ADD' && /https?:\/\//.test(instruction.text)) {
      findings.push({ file: dockerfilePath, line: instruction.line, message: 'ADD downloads a URL without a checksum.', fix: 'Use ADD --checksum=sha256:... or download with curl and verify.' });
    }
  }
  if (!last.instructions.some((instruction) => instruction.keyword === 'CMD' || instruction.keyword === 'ENTRYPOINT')) {
    findings.push({ file: dockerfilePath, line: last.line, message: 'The final stage has no CMD or ENTRYPOINT.', fix: 'Start the server with CMD in exec form.' });
  }
  if (!last.instructions.some((instruction) => instruction.keyword === 'EXPOSE')) {
    findings.push({ file: dockerfilePath, line: last.line, message: 'The final stage does not EXPOSE the service port.', fix: 'Add EXPOSE with the port the app listens on.' });
  }
  return findings;
}
