/**
 * Replaces `${NAME}` in every string of a parsed YAML tree with the value of
 * the environment variable NAME. A missing variable is a problem reported
 * with its path, never an empty string that would fail later and elsewhere.
 * `$${` escapes a literal `${`.
 */
import { ownValue } from '../core/own-key.js';

const REFERENCE = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function interpolateEnv(
  node: unknown,
  env: Record<string, string | undefined>,
  problems: string[],
  path = '',
): unknown {
  if (typeof node === 'string') {
    return node.replace(REFERENCE, (whole, escaped: string | undefined, name: string) => {
      if (escaped) return whole.slice(1);
      const value = ownValue(env, name);
      if (value === undefined) {
        problems.push(`${path || '(root)'}: environment variable ${name} is not set`);
        return '';
      }
      return value;
    });
  }
  if (Array.isArray(node)) {
    return node.map((item, i) => interpolateEnv(item, env, problems, `${path}[${i}]`));
  }
  if (node !== null && typeof node === 'object') {
    // fromEntries defines own keys: `out["__proto__"] = …` would set the prototype and lose the key.
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [
        key,
        interpolateEnv(value, env, problems, path ? `${path}.${key}` : key),
      ]),
    );
  }
  return node;
}

/** `['backups', 1, 'repo']` → `backups[1].repo`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}
