import type { X509Certificate } from 'node:crypto';
import type { CertificateSample } from '../core/ports/probes.js';
import type { ProbeResult } from './probe-error.js';

const DAY_MS = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * OpenSSL's ASN1_TIME_print form that X509Certificate.validFrom/validTo use on
 * Node 20 ("Feb  1 00:00:00 2020 GMT"); parsed by hand rather than trusting
 * Date's lenient legacy parser. Undefined when the text has another shape.
 */
export function parseCertificateTime(text: string): Date | undefined {
  const m = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)? (\d{4}) GMT$/.exec(text.trim());
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1] ?? '');
  if (month < 0) return undefined;
  const n = (i: number): number => Number(m[i]);
  return new Date(Date.UTC(n(6), month, n(2), n(3), n(4), n(5)));
}

/** Whole days from `now` to `notAfter`, rounded down: negative once expired. */
export function daysUntil(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
}

/** X509Certificate's multi-line names ("CN=a\nO=b") as one line. */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

export interface CertificateContext {
  source: CertificateSample['source'];
  chain: CertificateSample['chain'];
  servername: string | null;
}

/** The stored fields of a parsed certificate; undefined if its validity dates cannot be read. */
export function describeCertificate(
  cert: X509Certificate,
  now: Date,
  context: CertificateContext,
): CertificateSample | undefined {
  const notBefore = parseCertificateTime(cert.validFrom);
  const notAfter = parseCertificateTime(cert.validTo);
  if (!notBefore || !notAfter) return undefined;
  return {
    source: context.source,
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    subjectAltName: cert.subjectAltName ?? null,
    serialNumber: cert.serialNumber,
    fingerprint256: cert.fingerprint256,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    daysLeft: daysUntil(notAfter, now),
    chain: context.chain,
    servername: context.servername,
  };
}

export type CertificateRank = 'ok' | 'warn' | 'expired' | 'error';

export interface RankOptions {
  /** Warn when this many whole days or fewer are left. */
  warnDays: number;
  now: Date;
  /** Server certificates whose chain or host name does not verify rank 'error' (default true). */
  requireValidChain?: boolean;
}

/**
 * One word per check, from the stored sample and the time of ranking (so a
 * check stored yesterday ranks correctly today). Expiry wins over a broken
 * chain, since an expired certificate also fails verification.
 */
export function rankCertificate(check: ProbeResult<CertificateSample>, options: RankOptions): CertificateRank {
  if (!check.ok) return 'error';
  const { sample } = check;
  const now = options.now.getTime();
  if (Date.parse(sample.notAfter) <= now) return 'expired';
  if (Date.parse(sample.notBefore) > now) return 'error';
  if ((options.requireValidChain ?? true) && sample.chain && !sample.chain.valid) return 'error';
  const left = daysUntil(new Date(sample.notAfter), options.now);
  return left <= options.warnDays ? 'warn' : 'ok';
}
