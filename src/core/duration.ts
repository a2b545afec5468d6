/** Durations are written as in the config contract: `90s`, `15m`, `26h`, `7d`. */
const UNITS_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+)(s|m|h|d)$/;

/** Milliseconds for a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * (UNITS_MS[m[2] as string] as number);
}

export const DURATION_HINT = 'use a whole number and a unit: 90s, 15m, 26h, 7d';
