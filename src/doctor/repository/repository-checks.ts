// Checks of the repository's file system itself, run before anything reads
// it: paths doctor refused to open (symbolic links, above all those pointing
// out of the tree, FIFOs, sockets, devices, oversized files), answers in
// .mlforge.yml with control characters, and mlforge's own leftovers.

import { relative } from 'node:path';
import { outcome, plural } from '../check-result.js';
import { firstForbiddenCharacter } from '../../questions/text-rules.js';
import type { Finding, Rule } from '../types.js';
import { PROVENANCE_FILE } from '../../plan/provenance.js';
import { findMlforgeLeftovers } from './leftovers.js';

export const regularFilesCheck: Rule = {
  title: 'Every path is a regular file or directory inside the repository',
  applies: () => true,
  async run(repo) {
    const findings: Finding[] = repo.problems.map((problem) => ({
      file: problem.path,
      message: problem.message,
      fix:
        problem.kind === 'too-large'
          ? 'Keep large data out of the repository (DVC or object storage).'
          : problem.kind === 'symlink-outside' || problem.kind === 'symlink'
            ? `Replace the link with the file it stands for, or delete it: \`rm -- ${shellPath(problem.path)}\`.`
            : `Delete it: \`rm -- ${shellPath(problem.path)}\` (a generated repository holds only regular files).`,
    }));
    return outcome(findings, `${plural(repo.files.length, 'regular file')}`);
  },
};

export const answersTextCheck: Rule = {
  title: `The answers in ${PROVENANCE_FILE} are plain text`,
  applies: () => true,
  async run(repo) {
    const findings: Finding[] = [];
    for (const [key, value] of Object.entries(repo.answers as unknown as Record<string, unknown>)) {
      if (typeof value === 'object' && value !== null) {
        findings.push({ file: PROVENANCE_FILE, message: `answers.${key} is a ${Array.isArray(value) ? 'list' : 'mapping'}, not a value.`, fix: `Restore answers.${key} to the value the repository was generated with.` });
      } else if (typeof value === 'string' && firstForbiddenCharacter(value) !== undefined) {
        findings.push({ file: PROVENANCE_FILE, message: `answers.${key} holds characters mlforge new rejects (control, bidi or zero-width; shown escaped: "${value}").`, fix: `Rewrite answers.${key} as one line of plain text (mlforge new rejects such characters).` });
      }
    }
    return outcome(findings);
  },
};

export const leftoversCheck: Rule = {
  title: 'No leftovers of an interrupted mlforge run',
  applies: () => true,
  async run(repo) {
    const leftovers = await findMlforgeLeftovers(repo.root, repo.files);
    return outcome(
      leftovers.map((leftover) => {
        const shown = relative(repo.root, leftover.path) || leftover.path;
        return { file: shown, message: `${shown} is ${leftover.what}.`, fix: `Remove it: \`rm -rf -- ${shellPath(leftover.path)}\`.` };
      }),
    );
  },
};

export const repositoryChecks: readonly Rule[] = [regularFilesCheck, answersTextCheck, leftoversCheck];

function shellPath(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
}
