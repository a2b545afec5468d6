import { isAbsolute, resolve } from 'node:path';
import type { Secret } from '../../core/secret.js';
import type { PlaybookEntry, ValidatedAnsibleRequest } from './request.js';

const ANSIBLE_PLAYBOOK = 'ansible-playbook';
const JSONL_CALLBACK = 'ansible.posix.jsonl';

/** Where playbooks and inventories live; from the config, trusted. */
export interface AnsiblePaths {
  /** Folder the entries' `file` (and a relative inventory) are resolved against. */
  playbookDir: string;
  /** Inventory used when the entry names none. */
  inventory?: string;
}

export interface AnsibleArgvOptions {
  /** Variable files from the config, passed as `--extra-vars=@FILE`. Never secrets. */
  extraVarsFiles?: readonly string[];
  /** Variables passed as one JSON `--extra-vars`; they end up in argv, so never secrets. */
  extraVars?: Readonly<Record<string, unknown>>;
  /** Secret values the playbook reads with `lookup('env', NAME)`; environment only. */
  secretEnv?: Readonly<Record<string, Secret>>;
  /** Non-secret environment (ANSIBLE_HOME, temp folders, ...). */
  env?: Readonly<Record<string, string>>;
  /** Defaults to ansible.posix.jsonl; `default` for the human-readable fallback. */
  stdoutCallback?: string;
  /** Adds `--list-tasks` (used to count the tasks before a run). */
  listTasks?: boolean;
}

export interface AnsibleInvocation {
  file: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * Builds `ansible-playbook --inventory=INV [--tags=a,b] [--limit=H] [--check] PLAYBOOK`.
 * Every user-supplied value is glued to its option with `=`, so it can never
 * be read as an option of its own, and the playbook path is absolute, so it
 * cannot start with `-` either.
 */
export function buildAnsibleInvocation(
  paths: AnsiblePaths,
  entry: PlaybookEntry,
  request: ValidatedAnsibleRequest,
  options: AnsibleArgvOptions = {},
): AnsibleInvocation {
  const playbook = absolute(paths.playbookDir, entry.file);
  const inventory = entry.inventory ?? paths.inventory;
  const args: string[] = [];
  if (inventory !== undefined) args.push(`--inventory=${absolute(paths.playbookDir, inventory)}`);
  for (const file of options.extraVarsFiles ?? []) {
    args.push(`--extra-vars=@${absolute(paths.playbookDir, file)}`);
  }
  if (options.extraVars !== undefined && Object.keys(options.extraVars).length > 0) {
    args.push(`--extra-vars=${JSON.stringify(options.extraVars)}`);
  }
  if (request.tags.length > 0) args.push(`--tags=${request.tags.join(',')}`);
  if (request.limit !== undefined) args.push(`--limit=${request.limit}`);
  if (request.check) args.push('--check');
  if (options.listTasks === true) args.push('--list-tasks');
  args.push(playbook);

  const env: Record<string, string> = {
    ...options.env,
    ANSIBLE_STDOUT_CALLBACK: options.stdoutCallback ?? JSONL_CALLBACK,
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: '0',
  };
  const secrets = Object.entries(options.secretEnv ?? {});
  if (secrets.length > 0) {
    // A secret reaches the target as a module argument (the command module's stdin): pipelined,
    // the module goes through the connection's stdin; otherwise it is written, argument and all,
    // to ~/.ansible/tmp on the target and stays there if the run is killed. The playbooks set the
    // same in their play variables, which outrank an inventory's.
    env.ANSIBLE_PIPELINING = 'True';
    env.ANSIBLE_KEEP_REMOTE_FILES = 'False';
  }
  for (const [name, secret] of secrets) env[name] = secret.reveal();
  return { file: ANSIBLE_PLAYBOOK, args, env };
}

function absolute(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}
