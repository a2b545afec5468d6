import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cronIn, isTimeZone, lastSlot } from '../../src/scheduler/cron.js';

/*
 * The first Intl formatter of a process reads ~6 MB of ICU data that stays resident: the checks a
 * serving bot makes at start (its time zone, UTC jobs) build none for the usual names.
 */
const original = Intl.DateTimeFormat;
let built = 0;
beforeEach(() => {
  built = 0;
  const count = <T>(make: () => T): T => {
    built += 1;
    return make();
  };
  Intl.DateTimeFormat = new Proxy(original, {
    construct: (target, args) => count(() => Reflect.construct(target, args)),
    apply: (target, self, args) => count(() => Reflect.apply(target, self, args)),
  });
});
afterEach(() => {
  Intl.DateTimeFormat = original;
});

describe('isTimeZone', () => {
  it('knows canonical names without an Intl formatter, aliases and UTC with one, and refuses the rest', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('Asia/Tokyo')).toBe(true);
    expect(built).toBe(0);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Europe/Kiev')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(built).toBeGreaterThan(0);
  });
});

describe('cronIn', () => {
  it('computes UTC times without an Intl formatter, the same as croner in an alias of UTC', () => {
    const after = new Date('2026-03-29T00:59:00Z');
    const utc = cronIn('30 2 * * *', 'UTC').nextRun(after);
    expect(built).toBe(0);
    expect(utc?.toISOString()).toBe('2026-03-29T02:30:00.000Z');
    expect(cronIn('30 2 * * *', 'Etc/UTC').nextRun(after)?.toISOString()).toBe(utc?.toISOString());
    // The latest time too (catch-ups), for patterns of every kind.
    for (const pattern of ['*/5 * * * *', '0 9 * * 1-5', '0 9 1 * *', '0 0 29 2 *', '*/20 * * * * *']) {
      const at = new Date('2026-12-07T10:01:07Z');
      expect(lastSlot(cronIn(pattern, 'UTC'), at)).toEqual(lastSlot(cronIn(pattern, 'Etc/UTC'), at));
      expect(cronIn(pattern, 'UTC').nextRun(at)).toEqual(cronIn(pattern, 'Etc/UTC').nextRun(at));
    }
    // Paris has no 02:30 that night (02:00 becomes 03:00): the job runs at 03:00, 01:00 UTC.
    expect(cronIn('30 2 * * *', 'Europe/Paris').nextRun(after)?.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(built).toBeGreaterThan(0);
  });
});
