import { describe, expect, it } from 'vitest';
import { parseDuration, parseSince } from '../../src/core/duration.js';

const now = new Date('2026-12-07T12:00:00Z');
const paris = (text: string) => parseSince(text, now, 'Europe/Paris');

describe('parseSince', () => {
  it('reads a duration back from now', () => {
    expect(paris('2h')).toBe('2026-12-07T10:00:00.000Z');
    expect(paris('7d')).toBe('2026-11-30T12:00:00.000Z');
    expect(parseDuration('15m')).toBe(900_000);
  });

  it('reads a date or date-time without a zone in the configured zone, winter and summer', () => {
    expect(paris('2026-12-04')).toBe('2026-12-03T23:00:00.000Z');
    expect(paris('2026-12-04T09:00')).toBe('2026-12-04T08:00:00.000Z');
    expect(paris('2026-12-04 09:00')).toBe('2026-12-04T08:00:00.000Z');
    expect(paris('2026-07-04T09:00:30')).toBe('2026-07-04T07:00:30.000Z');
    expect(parseSince('2026-12-04T09:00', now, 'America/New_York')).toBe('2026-12-04T14:00:00.000Z');
  });

  it('keeps a zone when one is given', () => {
    expect(paris('2026-12-04T08:00Z')).toBe('2026-12-04T08:00:00.000Z');
    expect(paris('2026-12-04T09:00+02:00')).toBe('2026-12-04T07:00:00.000Z');
    expect(paris('2026-12-04T08:00:12.345Z')).toBe('2026-12-04T08:00:12.345Z');
  });

  it('refuses what is not a time', () => {
    for (const text of ['yesterday', '2026-02-31', '2026-12-04T25:00', '2026-12-04T09:60', '12/04/2026', '2h30m', '']) {
      expect(paris(text), text).toBeUndefined();
    }
  });
});
