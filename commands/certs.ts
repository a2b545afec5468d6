import { z } from 'zod';
import { defineCommand } from '../src/core/command.js';
import { CommandFailedError } from '../src/core/errors.js';
import { alignColumns, formatTime } from '../src/core/format.js';
import { fill, type Locale } from '../src/core/i18n.js';
import type { CertificateReport, CertificateSample } from '../src/core/ports/probes.js';

const text = {
  none: {
    en: 'no certificate is watched (see "certificates:" in the configuration).',
    fr: "aucun certificat n'est surveillé (voir « certificates: » dans la configuration).",
  },
  daysLeft: { en: '{n} days left', fr: '{n} jours restants' },
  dayLeft: { en: '1 day left', fr: '1 jour restant' },
  expiredAgo: { en: 'expired {n} days ago', fr: 'expiré depuis {n} jours' },
  expiredDayAgo: { en: 'expired 1 day ago', fr: 'expiré depuis 1 jour' },
  expiredToday: { en: 'expired today', fr: "expiré aujourd'hui" },
  until: { en: 'until {time}', fr: "jusqu'au {time}" },
  issuer: { en: 'issuer {name}', fr: 'émetteur {name}' },
  chainValid: { en: 'chain valid', fr: 'chaîne valide' },
  chainInvalid: { en: 'chain invalid ({code})', fr: 'chaîne invalide ({code})' },
  file: { en: 'file', fr: 'fichier' },
} satisfies Record<string, Record<Locale, string>>;

const MARKERS: Record<CertificateReport['rank'], string> = {
  ok: 'OK',
  warn: 'WARN',
  expired: 'EXPIRED',
  error: 'ERROR',
};

export const certs = defineCommand({
  name: 'certs',
  usage: 'certs',
  summary: {
    en: 'every watched certificate (servers by URL, client certificates by file) with its days left',
    fr: 'chaque certificat surveillé (serveurs par URL, certificats clients par fichier) et ses jours restants',
  },
  args: z.object({}),
  changes: false,
  async run(ctx) {
    const { locale } = ctx;
    const reports = await ctx.services.probes.checkCertificates(ctx.signal);
    if (reports.length === 0) throw new CommandFailedError('no_certificates', text.none[locale]);
    const rows = reports.map((r) => row(r, locale, ctx.timeZone));
    return {
      outcome: reports.every((r) => r.rank === 'ok') ? 'ok' : 'failed',
      text: alignColumns(rows).join('\n'),
      data: reports,
      auditDetail: reports.map((r) => `${r.target}=${MARKERS[r.rank]}`).join(' '),
    };
  },
});

function row(r: CertificateReport, locale: Locale, timeZone: string): string[] {
  const head = [MARKERS[r.rank], r.target];
  // The line already says it is a certificate: "certificates: …" would repeat it.
  if (!r.result.ok) return [...head, r.result.error.replace(/^certificates: /, '')];
  const s = r.result.sample;
  return [
    ...head,
    daysLeft(s.daysLeft, locale),
    fill(text.until[locale], { time: formatTime(s.notAfter, timeZone) }),
    fill(text.issuer[locale], { name: commonName(s.issuer) }),
    chain(s, locale),
  ];
}

function daysLeft(days: number, locale: Locale): string {
  if (days >= 2 || days === 0) return fill(text.daysLeft[locale], { n: days });
  if (days === 1) return text.dayLeft[locale];
  // daysLeft rounds down: -1 means it expired less than a day ago.
  if (days === -1) return text.expiredToday[locale];
  return days === -2 ? text.expiredDayAgo[locale] : fill(text.expiredAgo[locale], { n: -days - 1 });
}

/** The issuer's CN ("O=Let's Encrypt, CN=R11" → "R11"), or the whole name when it has none. */
function commonName(name: string): string {
  const cn = /(?:^|, )CN=([^,]+)/.exec(name)?.[1];
  return cn ?? name;
}

function chain(s: CertificateSample, locale: Locale): string {
  if (s.chain === null) return text.file[locale];
  return s.chain.valid ? text.chainValid[locale] : fill(text.chainInvalid[locale], { code: s.chain.error ?? '?' });
}
