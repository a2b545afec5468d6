import type { CertificateReport } from '../core/ports/probes.js';
import type { Condition } from './condition.js';
import { type AlertSettings, certificateKey } from './settings.js';

/**
 * A certificate's condition: its stage is how many of the configured day thresholds (21, 7, 1)
 * it has crossed, one more once expired; each stage posts once. The first stage warns, the
 * later ones are critical. Its identity is the fingerprint: a renewed certificate starts over.
 * A check that failed (server down, file unreadable) says nothing about expiry.
 */
export function certificateCondition(report: CertificateReport, s: AlertSettings): Condition | undefined {
  if (!report.result.ok) return undefined;
  const cert = report.result.sample;
  const days = cert.daysLeft;
  const stage = s.certificateDays.filter((d) => days <= d).length + (days < 0 ? 1 : 0);
  const key = certificateKey(report.target);
  const name = key.slice('cert:'.length);
  const t = s.texts;
  return {
    key,
    kind: 'cert',
    severity: stage === 0 ? null : stage === 1 ? 'warn' : 'crit',
    value: days,
    stage,
    identity: cert.fingerprint256,
    immediate: true,
    remind: false,
    summary: () => {
      const params = { name, days, date: t.fullTime(cert.notAfter) };
      if (days < 0) return t.say('certExpired', params);
      if (days === 0) return t.say('certExpiresToday', params);
      return t.say(days === 1 ? 'certExpiresDay' : 'certExpires', params);
    },
  };
}
