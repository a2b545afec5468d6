import { editDistance } from '../core/suggest.js';

/**
 * The known keys closest to a mistyped one, at most `max`: those containing what was typed
 * first ("dataproxies" → "locked:dataproxies"), then those a few edits away.
 */
export function closestKeys(typed: string, known: readonly string[], max = 3): string[] {
  const lower = typed.toLowerCase();
  const containing = known.filter((k) => lower.length >= 3 && k.toLowerCase().includes(lower)).sort();
  const tolerance = Math.max(2, Math.floor(typed.length / 4));
  const near = known
    .filter((k) => !containing.includes(k))
    .map((k) => ({ k, d: editDistance(lower, k.toLowerCase()) }))
    .filter((x) => x.d <= tolerance)
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .map((x) => x.k);
  return [...containing, ...near].slice(0, max);
}
