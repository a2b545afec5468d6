/** The names of T's methods that return a promise: the ones a stand-in can defer. */
type AsyncMethods<T> = {
  [K in keyof T]-?: T[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof T];

/**
 * A stand-in for a port whose implementation pulls in many modules (every probe, the Ansible
 * runner, cryptsetup steps) that a cached `detour run "backup status"` never needs. `now` answers
 * the synchronous members without loading anything (from the config); each method named in
 * `deferred` loads the real implementation on its first call, once, and forwards to it. The
 * `deferred` record must name every async method, so a method added to the port cannot be
 * forgotten here.
 */
export function lazyPort<T extends object>(
  load: () => Promise<T>,
  now: Omit<T, AsyncMethods<T>>,
  deferred: Record<AsyncMethods<T>, true>,
): T {
  let loaded: Promise<T> | undefined;
  const port: Record<string, unknown> = { ...now };
  for (const name of Object.keys(deferred)) {
    port[name] = async (...args: unknown[]) => {
      loaded ??= load();
      const real = (await loaded) as Record<string, (...a: unknown[]) => Promise<unknown>>;
      return real[name]!(...args);
    };
  }
  return port as T;
}
