import { Cron } from 'croner';

/** The word that turns a job off in the config's `schedule`. */
export const OFF = 'off';

/** Enough to find the next time of any pattern that fires at all (a yearly job, a 29 February). */
const HORIZON_YEARS = 8;

/**
 * A cron pattern in a time zone, for computing times only: croner never arms a timer here. UTC
 * is given as a zero offset, the same times: croner then needs no Intl, whose first use reads
 * ~7 MB of ICU data (see isTimeZone).
 */
export function cronIn(pattern: string, timezone: string): Cron {
  return new Cron(pattern, timezone === 'UTC' ? { utcOffset: 0, paused: true } : { timezone, paused: true });
}

/**
 * What is wrong with a cron pattern, or undefined when it is usable: croner's own complaint
 * ("Invalid value for hour: 25"), or a pattern that never fires (`0 0 31 2 *`).
 */
export function cronProblem(pattern: string, timezone = 'UTC'): string | undefined {
  let cron: Cron;
  try {
    cron = cronIn(pattern, timezone);
  } catch (error) {
    return (error as Error).message.replace(/^CronPattern: /, '').replace(/^\w/, (c) => c.toLowerCase());
  }
  const start = new Date();
  const next = cron.nextRun(start);
  if (next === null || next.getTime() - start.getTime() > HORIZON_YEARS * 366 * 86_400_000) return 'it never fires';
  return undefined;
}

/**
 * Whether a time zone name is one this Node.js knows (what croner and luxon use). The first Intl
 * formatter a process builds reads some 6 MB of ICU's locale data (and keeps it resident): the
 * list of canonical names answers for the usual ones (Europe/Paris) without one; a formatter
 * decides the others (aliases such as UTC or Europe/Kiev).
 */
export function isTimeZone(name: string): boolean {
  if (Intl.supportedValuesOf('timeZone').includes(name)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The next time strictly after `after`, or undefined when the pattern never fires again. */
export function nextSlot(cron: Cron, after: Date): Date | undefined {
  return cron.nextRun(after) ?? undefined;
}

/** The latest time at or before `at`, or undefined when there is none. */
export function lastSlot(cron: Cron, at: Date): Date | undefined {
  // previousRuns excludes its reference: one millisecond later includes a slot at `at` itself.
  return cron.previousRuns(1, new Date(at.getTime() + 1))[0];
}
