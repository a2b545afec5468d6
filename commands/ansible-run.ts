import { z } from 'zod';
import { actorLabel } from '../src/core/actor.js';
import { defineCommand } from '../src/core/command.js';
import { alignColumns, formatAge } from '../src/core/format.js';
import { fill, type Locale } from '../src/core/i18n.js';
import type { AnsibleProgress, AnsibleRunResult } from '../src/core/ports/ansible.js';

const text = {
  header: { en: '{playbook}{check}: {outcome} in {duration}', fr: '{playbook}{check} : {outcome} en {duration}' },
  check: { en: ' (check mode)', fr: ' (mode vérification)' },
  failedTasks: { en: 'Failed tasks:', fr: 'Tâches en échec :' },
  noRecap: { en: 'no PLAY RECAP', fr: 'pas de PLAY RECAP' },
} satisfies Record<string, Record<Locale, string>>;

/** What each typed outcome means, for people. */
const outcomes: Record<AnsibleRunResult['outcome'], Record<Locale, string>> = {
  ok: { en: 'ok', fr: 'ok' },
  host_failed: { en: 'a host failed', fr: 'un hôte a échoué' },
  unreachable: { en: 'a host is unreachable', fr: 'un hôte est injoignable' },
  parse_error: { en: 'the playbook could not be read', fr: 'le playbook est illisible' },
  bad_option: { en: 'ansible-playbook refused an option', fr: 'ansible-playbook a refusé une option' },
  error: { en: 'ansible-playbook failed', fr: 'ansible-playbook a échoué' },
  interrupted: { en: 'interrupted', fr: 'interrompu' },
  unknown: { en: 'unexpected error', fr: 'erreur inattendue' },
  timeout: { en: 'timed out', fr: 'délai dépassé' },
  canceled: { en: 'cancelled', fr: 'annulé' },
  failed_to_start: {
    en: 'ansible-playbook could not start (is ansible installed?)',
    fr: "ansible-playbook n'a pas pu démarrer (ansible est-il installé ?)",
  },
};

export const ansibleRun = defineCommand({
  name: 'ansible run',
  usage: 'ansible run <playbook> [--tags T,...] [--limit H] [--check]',
  summary: {
    en: 'run an allow-listed playbook; PLAY RECAP per host at the end',
    fr: 'lance un playbook autorisé ; PLAY RECAP par hôte à la fin',
  },
  positionals: ['playbook'],
  flags: ['check'],
  options: ['tags', 'limit'],
  args: z.object({
    playbook: z.string(),
    tags: z
      .string()
      .optional()
      .transform((t) =>
        t
          ? t
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : [],
      ),
    limit: z.string().optional(),
    check: z.boolean().default(false),
  }),
  changes: (args) => !args.check,
  replyIn: 'channel',
  async run(ctx, args) {
    const result = await ctx.services.operations.runPlaybook(
      { playbook: args.playbook, tags: args.tags, limit: args.limit, check: args.check },
      { label: actorLabel(ctx.actor), isAdmin: ctx.isAdmin },
      { signal: ctx.signal, onProgress: (p) => ctx.progress(describeProgress(p)) },
    );
    return {
      outcome: result.outcome === 'ok' ? 'ok' : 'failed',
      text: render(result, ctx.locale),
      data: result,
      auditDetail: `${result.outcome}${result.check ? ' (check)' : ''}`,
    };
  },
});

/** "task 2/5: Copy config on web1: changed" and the like, for chat progress lines. */
export function describeProgress(p: AnsibleProgress): string {
  if (p.type === 'play') return `play: ${p.play}`;
  const head = p.handler ? 'handler' : `task ${p.index}${p.total ? `/${p.total}` : ''}`;
  if (p.type === 'task') return `${head}: ${p.task}`;
  return `${head}: ${p.task} on ${p.host}: ${p.status}`;
}

function render(r: AnsibleRunResult, locale: Locale): string {
  const lines = [
    fill(text.header[locale], {
      playbook: r.playbook,
      check: r.check ? text.check[locale] : '',
      outcome: outcomes[r.outcome][locale],
      duration: formatAge(r.durationMs, locale),
    }),
  ];
  if (r.errorMessage) lines.push(r.errorMessage);
  const hosts = Object.entries(r.stats);
  if (hosts.length === 0) lines.push(text.noRecap[locale]);
  lines.push(
    ...alignColumns(
      hosts.map(([host, s]) => [
        host,
        `ok=${s.ok}`,
        `changed=${s.changed}`,
        `unreachable=${s.unreachable}`,
        `failed=${s.failed}`,
        `skipped=${s.skipped}`,
        `rescued=${s.rescued}`,
        `ignored=${s.ignored}`,
      ]),
    ),
  );
  if (r.failedTasks.length > 0) {
    lines.push(text.failedTasks[locale], ...r.failedTasks.map((f) => `  ${f.host}: ${f.task}: ${f.msg}`));
  }
  return lines.join('\n');
}
