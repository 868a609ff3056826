// git as doctor runs it: with every piece of repository or user
// configuration that can start a program switched off (fsmonitor, hooks,
// pager, external diff and filters are never reached by the read-only
// commands doctor uses), no optional locks so it never rewrites the index,
// and safe.directory left as the user set it.

/** `git <safeGitArgs> <command>`. */
export const safeGitArgs: readonly string[] = [
  '--no-pager',
  '-c', 'core.fsmonitor=false',
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'core.pager=cat',
  '-c', 'core.sshCommand=false',
  '-c', 'diff.external=',
  '-c', 'protocol.allow=never',
];

/** Environment for git on top of the tool environment (GIT_* inherited are already cleared). */
export const safeGitEnv: Readonly<Record<string, string>> = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_OPTIONAL_LOCKS: '0',
  GIT_TERMINAL_PROMPT: '0',
  GIT_PAGER: 'cat',
};
