import type { Locale } from './i18n.js';

/** "45 s", "12 min", "5 h", "3 d": coarse on purpose, for chat. */
export function formatAge(ms: number, locale: Locale): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 2 * 86400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} ${locale === 'fr' ? 'j' : 'd'}`;
}

/** "8 d 6 h", "5 h 30 min", "12 min": a length of time to the hour past a day, to the minute below. */
export function formatDuration(ms: number, locale: Locale): string {
  const minutes = Math.round(Math.max(0, ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) {
    const d = `${days} ${locale === 'fr' ? 'j' : 'd'}`;
    return hours > 0 ? `${d} ${hours} h` : d;
  }
  if (hours > 0) return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
  return `${rest} min`;
}

/** Binary units, one decimal: 1.5 GiB. French uses a decimal comma and "o" for bytes. */
export function formatBytes(bytes: number, locale: Locale): string {
  const units = locale === 'fr' ? ['o', 'Kio', 'Mio', 'Gio', 'Tio'] : ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 ? String(value) : value.toFixed(1);
  return `${locale === 'fr' ? text.replace('.', ',') : text} ${units[unit]}`;
}

// Building an Intl formatter costs milliseconds; one per time zone is kept.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** "2026-11-24 09:05" in the configured time zone. */
export function formatTime(iso: string, timeZone: string): string {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  const parts = formatter.formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/** Left-aligns columns so a list reads as a table in a monospace block. */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
