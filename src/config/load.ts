import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type * as Yaml from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { Secret } from '../core/secret.js';
import { useOnce } from '../use-once.js';
import { formatPath, interpolateEnv } from './interpolate.js';
import { checkReferences } from './references.js';
import { buildConfigSchema, type Config, SECRET_KEYS } from './schema.js';

export interface ConfigSource {
  /** Where the config came from, for messages: a path or "built-in demo configuration". */
  label: string;
  /** Absolute path of the file, or undefined for the embedded demo. */
  path: string | undefined;
}

/** Which file to use: --config, else $DETOUR_CONFIG, else ./detour.yaml if present. */
export function findConfigPath(
  explicit: string | undefined,
  env: Record<string, string | undefined>,
  cwd: string,
  exists: (path: string) => boolean,
): string | undefined {
  if (explicit) return resolve(cwd, explicit);
  if (env.DETOUR_CONFIG) return resolve(cwd, env.DETOUR_CONFIG);
  const local = resolve(cwd, 'detour.yaml');
  return exists(local) ? local : undefined;
}

/** Reads, interpolates, validates and resolves secrets of a YAML config file. */
export function loadConfigFile(path: string, env: Record<string, string | undefined>): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? error}`], path);
  }
  let raw: unknown;
  try {
    // Read once at start: the parser is not kept (see useOnce).
    raw = useOnce<typeof Yaml, unknown>('yaml', (yaml) => yaml.parse(text, { prettyErrors: true })) ?? {};
  } catch (error) {
    throw new ConfigError([`not valid YAML: ${(error as Error).message.split('\n')[0]}`], path);
  }
  return validateConfig(raw, env, dirname(path), path);
}

/**
 * Validates a raw config tree. Relative paths in it (database, secret files)
 * are taken relative to `baseDir`. Every problem is collected before failing,
 * so an operator fixes the file in one pass.
 */
export function validateConfig(
  raw: unknown,
  env: Record<string, string | undefined>,
  baseDir: string,
  label: string,
): Config {
  const problems: string[] = [];
  const interpolated = interpolateEnv(raw, env, problems);
  findDoubleSecrets(interpolated, problems);
  const parsed = buildConfigSchema().safeParse(interpolated, { error: explainIssue });
  if (!parsed.success) {
    // An unset variable leaves "" behind: its message says more than "is empty" at the same path.
    const where = (problem: string) => problem.slice(0, problem.indexOf(': '));
    const reported = new Set(problems.map(where));
    for (const issue of parsed.error.issues) {
      problems.push(...formatIssue(issue).filter((problem) => !reported.has(where(problem))));
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems, label);
  const config = parsed.data;
  problems.push(...checkReferences(config));
  readSecretFiles(config, baseDir, problems);
  if (problems.length > 0) throw new ConfigError(problems, label);
  resolvePaths(config, baseDir);
  return config;
}

/** Relative paths in the config are relative to the config file's folder, not to the bot's cwd. */
function resolvePaths(config: Config, baseDir: string): void {
  const at = (path: string) => resolve(baseDir, path);
  config.database = at(config.database);
  config.ssh.knownHostsFile = at(config.ssh.knownHostsFile);
  for (const host of Object.values(config.hosts))
    if ('ssh' in host) host.ssh.privateKeyFile = at(host.ssh.privateKeyFile);
  if (config.ansible?.inventory) config.ansible.inventory = at(config.ansible.inventory);
  if (config.ansible?.playbookDir) config.ansible.playbookDir = at(config.ansible.playbookDir);
  for (const cert of config.certificates) if ('file' in cert) cert.file = at(cert.file);
}

/** Zod's default messages are generic; say "required" for a missing key. */
function explainIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'required';
  if (issue.code === 'invalid_type') return `expected ${issue.expected}, got ${describe(issue.input)}`;
  if (issue.code === 'invalid_value') {
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(issue.input)}`;
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function formatIssue(issue: z.core.$ZodIssue): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key`);
  }
  return [`${formatPath(issue.path)}: ${issue.message}`];
}

/** A secret given both inline and as a file is ambiguous: which one wins? Refuse. */
function findDoubleSecrets(node: unknown, problems: string[], path: PropertyKey[] = []): void {
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  for (const key of SECRET_KEYS) {
    if (record[key] !== undefined && record[`${key}File`] !== undefined) {
      problems.push(`${formatPath([...path, key])}: give either ${key} or ${key}File, not both`);
    }
  }
  for (const [key, value] of Object.entries(record)) {
    findDoubleSecrets(value, problems, [...path, Array.isArray(node) ? Number(key) : key]);
  }
}

/** Replaces every `<secret>File` by the file's content in `<secret>`, as a Secret. */
function readSecretFiles(node: unknown, baseDir: string, problems: string[], path: PropertyKey[] = []): void {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) readSecretFiles(item, baseDir, problems, [...path, i]);
    return;
  }
  if (node === null || typeof node !== 'object' || node instanceof Secret) return;
  const record = node as Record<string, unknown>;
  for (const key of SECRET_KEYS) {
    const file = record[`${key}File`];
    if (typeof file !== 'string') continue;
    try {
      const content = readFileSync(resolve(baseDir, file), 'utf8').replace(/\r?\n$/, '');
      if (content === '') problems.push(`${formatPath([...path, `${key}File`])}: ${file} is empty`);
      record[key] = new Secret(content);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`${formatPath([...path, `${key}File`])}: cannot read ${file} (${code})`);
    }
  }
  for (const [key, value] of Object.entries(record)) readSecretFiles(value, baseDir, problems, [...path, key]);
}
