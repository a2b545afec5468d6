import type { AnyCommand } from './command.js';

/** The command whose name is closest to what was typed, if close enough to be a typo. */
export function suggest(words: readonly string[], commands: readonly AnyCommand[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const command of commands) {
    const length = command.name.split(' ').length;
    const typed = words.slice(0, length).join(' ').toLowerCase();
    const distance = editDistance(typed, command.name);
    // One typo per four letters, at least one: "bakup status" → "backup status".
    const tolerance = Math.max(1, Math.floor(command.name.length / 4));
    if (distance <= tolerance && (!best || distance < best.distance)) best = { name: command.name, distance };
  }
  return best?.name;
}

/** Edit distance counting a swap of two neighbours as one edit ("hlep" → "help"). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}
