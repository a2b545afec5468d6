import { DateTime } from 'luxon';
import { isMonth } from '../core/month.js';

/** A month in the configured time zone, with its bounds and local days in UTC ISO text. */
export interface MonthRange {
  /** YYYY-MM. */
  month: string;
  /** [from, to) in UTC, spelled as toISOString does, so they compare as text with stored times. */
  from: string;
  to: string;
  /** Each local day: [YYYY-MM-DD, fromIso, toIso] (a daylight-saving day lasts 23 or 25 hours). */
  days: [string, string, string][];
}

/** The month before the one `now` falls in, in `timeZone`: the report the 1st posts. */
export function previousMonth(now: Date, timeZone: string): string {
  return DateTime.fromJSDate(now, { zone: timeZone }).minus({ months: 1 }).toFormat('yyyy-MM');
}

export function monthRange(month: string, timeZone: string): MonthRange {
  if (!isMonth(month)) throw new Error(`"${month}" is not a month (YYYY-MM)`);
  const [year, number] = month.split('-').map(Number);
  const start = DateTime.fromObject({ year, month: number, day: 1 }, { zone: timeZone });
  const end = start.plus({ months: 1 });
  const days: [string, string, string][] = [];
  for (let day = start; day < end; day = day.plus({ days: 1 })) {
    days.push([day.toFormat('yyyy-MM-dd'), iso(day), iso(day.plus({ days: 1 }))]);
  }
  return { month, from: iso(start), to: iso(end), days };
}

/** The local day (YYYY-MM-DD) of a UTC instant. */
export function localDay(isoTime: string, timeZone: string): string {
  return DateTime.fromISO(isoTime, { zone: timeZone }).toFormat('yyyy-MM-dd');
}

function iso(time: DateTime): string {
  return time.toUTC().toJSDate().toISOString();
}
