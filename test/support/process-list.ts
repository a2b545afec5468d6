import { readdir, readFile } from 'node:fs/promises';

/**
 * Every process's view of `needle` right now: in its argv, or as the value of one of `variables` in
 * its environment. Used while a playbook runs, to show a secret never reaches either.
 */
export async function sightings(needle: string, variables: readonly string[]): Promise<string[]> {
  const hits: string[] = [];
  const asVariable = variables.map((name) => `${name}=${needle}`);
  for (const pid of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    const read = (what: string) => readFile(`/proc/${pid}/${what}`).catch(() => Buffer.alloc(0));
    const [cmdline, environ] = await Promise.all([read('cmdline'), read('environ')]);
    if (cmdline.includes(needle)) hits.push(`argv: ${cmdline.toString().replaceAll('\0', ' ')}`);
    for (const variable of asVariable) if (environ.includes(variable)) hits.push(`environ of ${pid}: ${variable}`);
  }
  return hits;
}

/** Runs `work`, reading the process list every 50 ms until it settles; returns its result and what was seen. */
export async function watchProcesses<T>(
  work: Promise<T>,
  needle: string,
  variables: readonly string[],
): Promise<{ result: T; seen: string[]; looks: number }> {
  let done = false;
  void work.finally(() => {
    done = true;
  });
  const seen: string[] = [];
  let looks = 0;
  while (!done) {
    seen.push(...(await sightings(needle, variables)));
    looks++;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { result: await work, seen: [...new Set(seen)], looks };
}
