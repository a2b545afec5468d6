/**
 * The environment a child process starts with: an allow-list of the bot's own
 * variables, then what the runner sets for this one call. Everything else the
 * bot was started with (chat tokens, signing secrets, passphrases read from
 * `${ENV}` in the config) stays in the bot: borg, restic, ansible-playbook and
 * cryptsetup never need it, and ansible hands its environment on to modules.
 */

/** Variables any program expects: where to find programs, who and where it is, language, time zone. */
const BASE_NAMES = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'SSH_AUTH_SOCK'];

/**
 * Where the tools keep their caches and settings: paths, never secrets. An
 * operator sets them for the bot's service (e.g. BORG_BASE_DIR on a small
 * root partition); other tool settings belong in the tool's own file
 * (ansible.cfg through ANSIBLE_CONFIG).
 */
const TOOL_LOCATION_NAMES = [
  'BORG_BASE_DIR',
  'BORG_CACHE_DIR',
  'BORG_CONFIG_DIR',
  'BORG_SECURITY_DIR',
  'BORG_KEYS_DIR',
  'RESTIC_CACHE_DIR',
  'ANSIBLE_CONFIG',
  'ANSIBLE_HOME',
  'ANSIBLE_LOCAL_TEMP',
  'ANSIBLE_REMOTE_TEMP',
  'ANSIBLE_COLLECTIONS_PATH',
  'ANSIBLE_ROLES_PATH',
];

const INHERITED = new Set([...BASE_NAMES, ...TOOL_LOCATION_NAMES]);
/** LC_ALL, LC_CTYPE, ...: locale settings, as ssh's default SendEnv forwards them. */
const LOCALE_PREFIX = 'LC_';

/** Whether a variable of the bot's own environment is handed to its children. */
export function isInherited(name: string): boolean {
  return INHERITED.has(name) || (name.startsWith(LOCALE_PREFIX) && /^LC_[A-Z]+$/.test(name));
}

/** The allow-listed part of `parent`, then `set` (what the runner passes for this call) on top. */
export function childEnvironment(
  parent: Readonly<Record<string, string | undefined>>,
  set: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value !== undefined && isInherited(name)) env[name] = value;
  }
  return { ...env, ...set };
}
