/**
 * The value a record holds under `key` itself, never one it inherits:
 * `playbooks["constructor"]` is Object's constructor function, and
 * `playbooks["__proto__"]` is Object.prototype. Use it wherever a key comes
 * from what someone typed (chat, config names, templates).
 */
export function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
