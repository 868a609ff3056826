// The environment git runs in for the post-step: the user's identity and
// config files, nothing that points git at another repository.

/**
 * Kept from the inherited environment: who commits and when (so users and CI can set them
 * the usual way) and which config files git reads (init.defaultBranch, user.name live there).
 * Every other GIT_* variable is dropped: GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE,
 * GIT_OBJECT_DIRECTORY, GIT_ALTERNATE_OBJECT_DIRECTORIES, GIT_CEILING_DIRECTORIES,
 * GIT_NAMESPACE, GIT_COMMON_DIR, GIT_CONFIG_PARAMETERS/COUNT/KEY_n/VALUE_n (set by a parent
 * git when mlforge runs from a hook or alias), GIT_EXEC_PATH, GIT_TRACE*, ... A parent git
 * process or a shell prepared for another repository must not steer this one.
 */
const kept = new Set([
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_AUTHOR_DATE',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_COMMITTER_DATE',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_SYSTEM',
  'GIT_CONFIG_NOSYSTEM',
]);

export function gitEnvironment(inherited: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(inherited)) {
    if (value !== undefined && (!key.toUpperCase().startsWith('GIT_') || kept.has(key))) env[key] = value;
  }
  // Messages parsed below are git's untranslated ones; git must never ask for anything.
  env.LC_ALL = 'C';
  env.GIT_TERMINAL_PROMPT = '0';
  return env;
}

/**
 * `-c` options for every git command of the post-step. Hooks are switched off (the user's
 * core.hooksPath or hooks copied from init.templateDir would otherwise run for a commit the
 * user did not write), as are signing prompts, fsmonitor daemons and the background
 * maintenance git starts after a commit.
 */
export const neutralConfig = [
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'core.fsmonitor=false',
  '-c', 'commit.gpgsign=false',
  '-c', 'maintenance.auto=false',
  '-c', 'gc.auto=0',
  '-c', 'color.ui=false',
];
