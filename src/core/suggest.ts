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

/** Levenshtein distance, two rows at a time. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
    }
    previous = current;
  }
  return previous[b.length] as number;
}
