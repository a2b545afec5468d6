import type { OverdueCheck } from '../core/ports/backup-runs.js';
import type { Condition } from './condition.js';
import type { AlertSettings } from './settings.js';

/**
 * The conditions of the push checks (`POST /ping/<check>`): one per configured check, overdue
 * (no success within period + grace, or a start with no end within grace) or not. Their keys
 * are `check:<name>`, apart from `backup:<repository>`, so a repository the bot observes and a
 * check reporting on it never argue over one alert. Overdue fires at once: it is already a
 * judgement over hours.
 */
export function checkConditions(
  names: readonly string[],
  overdue: readonly OverdueCheck[],
  at: Date,
  s: AlertSettings,
): Condition[] {
  const t = s.texts;
  const late = new Map(overdue.map((o) => [o.name, o]));
  return names.map((name) => {
    const o = late.get(name);
    return {
      key: `check:${name}`,
      kind: 'backup',
      severity: o ? 'warn' : null,
      immediate: true,
      summary: () => {
        if (!o) return t.say('checkOk', { name });
        if (o.reason === 'stuck' && o.lastStartAt) {
          return t.say('checkStuck', { name, time: t.fullTime(o.lastStartAt) });
        }
        if (!o.lastSuccessAt) return t.say('checkNever', { name });
        return t.say('checkLate', {
          name,
          time: t.fullTime(o.lastSuccessAt),
          age: t.age(at.getTime() - new Date(o.lastSuccessAt).getTime()),
        });
      },
    };
  });
}
