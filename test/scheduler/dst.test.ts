import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from './fake-clock.js';
import { PARIS, recordingJob, schedulerOn, slots, tempDir } from './harness.js';

/*
 * Europe/Paris changes time twice in 2026: on 29 March 02:00 CET becomes 03:00 CEST (02:xx does
 * not exist), on 25 October 03:00 CEST becomes 02:00 CET (02:xx happens twice). A fake clock
 * walks the scheduler through both, minute by minute as its timers ask.
 */

let temp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  temp = await tempDir();
});
afterAll(() => temp.cleanup());

const local = (d: Date) => DateTime.fromJSDate(d, { zone: PARIS }).toFormat('yyyy-MM-dd HH:mm ZZ');
const onLocalDay = (dates: Date[], day: string) =>
  dates.filter((d) => DateTime.fromJSDate(d, { zone: PARIS }).toISODate() === day);
const gapsInMinutes = (dates: Date[]) =>
  dates.slice(1).map((d, i) => (d.getTime() - (dates[i] as Date).getTime()) / 60_000);

async function walk(file: string, from: string, to: string) {
  const clock = new FakeClock(from);
  // No catch-up: only the times the scheduler meets on the way count.
  const never = { catchUp: () => false };
  const nightly = recordingJob('nightly', '30 2 * * *', clock, never);
  const quarter = recordingJob('quarter', '*/15 * * * *', clock, never);
  const hourly = recordingJob('hourly', '0 * * * *', clock, never);
  const { scheduler, db } = schedulerOn(join(temp.dir, file), clock, [nightly, quarter, hourly]);
  scheduler.start();
  await clock.advanceTo(to);
  await scheduler.stop();
  return { nightly, quarter, hourly, db };
}

describe('daylight-saving changes in Europe/Paris', () => {
  it('29 March 2026 (02:00 → 03:00): a 02:30 job runs once, at 03:00; nothing runs twice', async () => {
    const { nightly, quarter, hourly, db } = await walk('spring.db', '2026-03-28T12:00:00Z', '2026-03-30T12:00:00Z');

    expect(nightly.ranAt.map(local)).toEqual(['2026-03-29 03:00 +02:00', '2026-03-30 02:30 +02:00']);
    // The day has 23 hours: 92 quarters and 23 hours, none at 02:xx (it does not exist), none twice.
    const quarters = onLocalDay(quarter.ranAt, '2026-03-29');
    expect(quarters).toHaveLength(92);
    expect(new Set(gapsInMinutes(quarters))).toEqual(new Set([15]));
    expect(quarters.map(local)).toContain('2026-03-29 01:45 +01:00');
    expect(quarters.map(local)).toContain('2026-03-29 03:00 +02:00');
    expect(onLocalDay(hourly.ranAt, '2026-03-29')).toHaveLength(23);
    // Each run is its own slot in the database, recorded ok.
    const recorded = slots(db, 'quarter');
    expect(recorded.map((r) => r.slot)).toEqual(quarter.ranAt.map((d) => d.toISOString()));
    expect(recorded.every((r) => r.status === 'ok' && r.trigger === 'schedule')).toBe(true);
    db.close();
  });

  it('25 October 2026 (03:00 → 02:00): a 02:30 job runs once; sub-daily jobs follow real time through the repeated hour', async () => {
    const { nightly, quarter, hourly, db } = await walk('autumn.db', '2026-10-24T12:00:00Z', '2026-10-26T12:00:00Z');

    expect(nightly.ranAt.map(local)).toEqual(['2026-10-25 02:30 +02:00', '2026-10-26 02:30 +01:00']);
    // The day has 25 hours. Every 15 minutes of real time: 02:00-02:45 once in summer time and
    // once in winter time (the documented choice: probes keep sampling every 5 minutes).
    const quarters = onLocalDay(quarter.ranAt, '2026-10-25');
    expect(quarters).toHaveLength(100);
    expect(new Set(gapsInMinutes(quarter.ranAt))).toEqual(new Set([15]));
    const repeatedHour = quarter.ranAt.filter(
      (d) => d >= new Date('2026-10-25T00:00:00Z') && d < new Date('2026-10-25T02:00:00Z'),
    );
    expect(repeatedHour.map(local)).toEqual([
      '2026-10-25 02:00 +02:00',
      '2026-10-25 02:15 +02:00',
      '2026-10-25 02:30 +02:00',
      '2026-10-25 02:45 +02:00',
      '2026-10-25 02:00 +01:00',
      '2026-10-25 02:15 +01:00',
      '2026-10-25 02:30 +01:00',
      '2026-10-25 02:45 +01:00',
    ]);
    expect(onLocalDay(hourly.ranAt, '2026-10-25')).toHaveLength(25);
    // Never the same instant twice.
    const recorded = slots(db, 'quarter').map((r) => r.slot);
    expect(new Set(recorded).size).toBe(recorded.length);
    db.close();
  });
});
