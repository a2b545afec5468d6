import type { RepositoryStatus } from '../core/ports/backups.js';
import type { Condition } from './condition.js';
import type { AlertSettings } from './settings.js';

/**
 * A repository's condition from its status: LATE (no archive younger than maxAge) warns,
 * FAILED (the repository cannot be read) is critical, OK resolves. LOCKED and UNKNOWN say
 * nothing either way. Both fire at once: the status is already a judgement over hours.
 */
export function backupCondition(status: RepositoryStatus, at: Date, s: AlertSettings): Condition | undefined {
  const { marker, name } = status;
  if (marker !== 'OK' && marker !== 'LATE' && marker !== 'FAILED') return undefined;
  const t = s.texts;
  return {
    key: `backup:${name}`,
    kind: 'backup',
    severity: marker === 'FAILED' ? 'crit' : marker === 'LATE' ? 'warn' : null,
    immediate: true,
    summary: () => {
      if (marker === 'OK') return t.say('backupOk', { name });
      if (marker === 'FAILED') {
        return t.say('backupFailed', { name, detail: status.latest?.detail ?? status.latest?.outcome ?? '?' });
      }
      const last = status.lastGood?.lastArchiveAt ?? status.latest?.lastArchiveAt;
      if (!last) return t.say('backupNone', { name });
      return t.say('backupLate', {
        name,
        time: t.fullTime(last),
        age: t.age(at.getTime() - new Date(last).getTime()),
        max: t.age(status.maxAgeMs),
      });
    },
  };
}
