import { z } from 'zod';
import { actorLabel } from '../src/core/actor.js';
import { defineCommand } from '../src/core/command.js';
import { CommandFailedError } from '../src/core/errors.js';
import { fill, type Locale } from '../src/core/i18n.js';
import type { UnlockResult } from '../src/core/ports/operations.js';
import type { UnlockStepReport } from '../src/core/ports/unlock.js';

const text = {
  unknown: {
    en: 'unknown unlock target "{target}". Known targets: {known}.',
    fr: 'cible de déverrouillage inconnue « {target} ». Cibles connues : {known}.',
  },
  prompt: { en: 'Passphrase for {target}: ', fr: 'Phrase de passe pour {target} : ' },
  header: { en: '{target} on {host} ({via}){check}:', fr: '{target} sur {host} ({via}){check} :' },
  check: { en: ', passphrase check only', fr: ', vérification de la phrase de passe seulement' },
  wrong: {
    en: 'wrong passphrase for {target}: nothing else was attempted.',
    fr: 'mauvaise phrase de passe pour {target} : rien d’autre n’a été tenté.',
  },
} satisfies Record<string, Record<Locale, string>>;

const stepNames: Record<UnlockStepReport['step'], Record<Locale, string>> = {
  status: { en: 'state', fr: 'état' },
  check_passphrase: { en: 'passphrase', fr: 'phrase de passe' },
  open: { en: 'unlock', fr: 'déverrouillage' },
  mount: { en: 'mount', fr: 'montage' },
  service: { en: 'service', fr: 'service' },
};

export const unlock = defineCommand({
  name: 'unlock',
  usage: 'unlock <target> [--check]',
  summary: {
    en: 'unlock an encrypted partition, mount it and start its services (asks for the passphrase privately)',
    fr: 'déverrouille une partition chiffrée, la monte et démarre ses services (demande la phrase de passe en privé)',
  },
  positionals: ['target'],
  flags: ['check'],
  args: z.object({ target: z.string(), check: z.boolean().default(false) }),
  changes: true,
  replyIn: 'channel',
  async run(ctx, args) {
    const { locale } = ctx;
    const known = ctx.services.operations.unlockTargets();
    // Ask for no passphrase for a target that does not exist.
    if (!known.includes(args.target)) {
      throw new CommandFailedError(
        'unknown_target',
        fill(text.unknown[locale], { target: args.target, known: known.join(', ') || '—' }),
      );
    }
    const passphrase = await ctx.askSecret(fill(text.prompt[locale], { target: args.target }));
    const result = await ctx.services.operations.unlock(args.target, passphrase, {
      checkOnly: args.check,
      by: { label: actorLabel(ctx.actor), isAdmin: ctx.isAdmin },
      signal: ctx.signal,
    });
    const wrong = isWrongPassphrase(result);
    const ok = result.via === 'ansible' ? result.result.outcome === 'ok' : result.report.ok;
    const header = fill(text.header[locale], {
      target: args.target,
      host: result.host,
      via: result.via,
      check: args.check ? text.check[locale] : '',
    });
    const body = wrong ? [fill(text.wrong[locale], { target: args.target })] : details(result, locale);
    return {
      outcome: ok ? 'ok' : 'failed',
      text: [header, ...body].join('\n'),
      auditDetail: wrong
        ? 'wrong passphrase'
        : ok
          ? args.check
            ? 'passphrase ok (check)'
            : 'unlocked'
          : 'unlock failed',
    };
  },
});

function isWrongPassphrase(result: UnlockResult): boolean {
  if (result.via === 'ansible') return result.result.failedTasks.some((t) => /wrong passphrase/i.test(t.msg));
  return result.report.steps.some((s) => s.step === 'check_passphrase' && s.outcome === 'wrong_passphrase');
}

function details(result: UnlockResult, locale: Locale): string[] {
  if (result.via === 'ansible') {
    const r = result.result;
    return [`ansible: ${r.outcome}`, ...r.failedTasks.map((t) => `  ✗ ${t.host}: ${t.task}: ${t.msg}`)];
  }
  return result.report.steps.map((s) => {
    const name = s.step === 'service' ? `${stepNames.service[locale]} ${s.unit}` : stepNames[s.step][locale];
    const detail = s.ok || !s.detail ? '' : ` — ${s.detail}`;
    return `  ${s.ok ? '✓' : '✗'} ${name}: ${s.outcome.replaceAll('_', ' ')}${detail}`;
  });
}
