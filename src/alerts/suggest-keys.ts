import { editDistance } from '../core/suggest.js';

/**
 * The known keys closest to a mistyped one, at most `max`: those containing what was typed
 * first ("b7-srv" → "disk:b7-srv:/srv"), then those a few edits away from the key or from one of
 * its parts ("dataproxy" → "locked:dataproxies", "dsk:b7-srv:/srv" → "disk:b7-srv:/srv").
 */
export function closestKeys(typed: string, known: readonly string[], max = 3): string[] {
  const lower = typed.toLowerCase();
  const containing = known.filter((k) => lower.length >= 3 && k.toLowerCase().includes(lower)).sort();
  // One typo per three letters, at least two.
  const tolerance = Math.max(2, Math.floor(typed.length / 3));
  const distance = (key: string) => {
    const k = key.toLowerCase();
    const parts = [k, k.slice(k.indexOf(':') + 1), ...k.split(':')];
    return Math.min(...parts.map((p) => editDistance(lower, p)));
  };
  const near = known
    .filter((k) => !containing.includes(k))
    .map((k) => ({ k, d: distance(k) }))
    .filter((x) => x.d <= tolerance)
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .map((x) => x.k);
  return [...containing, ...near].slice(0, max);
}
