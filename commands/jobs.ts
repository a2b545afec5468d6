import { z } from 'zod';
import { actorLabel } from '../src/core/actor.js';
import { defineCommand } from '../src/core/command.js';
import { alignColumns, formatAge, formatTime } from '../src/core/format.js';
import { fill, type Locale } from '../src/core/i18n.js';

const text = {
  none: { en: 'no job is running.', fr: "aucune tâche n'est en cours." },
  line: { en: 'started by {by} at {time} ({age} ago)', fr: 'lancée par {by} à {time} (il y a {age})' },
  cancelling: { en: 'cancelling, asked by {by}', fr: 'annulation demandée par {by}' },
  cancelled: {
    en: 'job {id} ({key}) is being cancelled; it stops within a few seconds.',
    fr: "la tâche {id} ({key}) est en cours d'annulation ; elle s'arrête dans quelques secondes.",
  },
} satisfies Record<string, Record<Locale, string>>;

export const jobs = defineCommand({
  name: 'jobs',
  usage: 'jobs',
  summary: {
    en: 'running jobs (playbooks, unlocks, backups)',
    fr: 'tâches en cours (playbooks, déverrouillages, sauvegardes)',
  },
  args: z.object({}),
  changes: false,
  async run(ctx) {
    const running = await ctx.services.operations.jobs();
    if (running.length === 0) return { outcome: 'ok', text: text.none[ctx.locale] };
    const now = Date.now();
    const rows = running.map((j) => [
      `#${j.id}`,
      j.key,
      fill(text.line[ctx.locale], {
        by: j.startedBy,
        time: formatTime(j.startedAt.toISOString(), ctx.timeZone),
        age: formatAge(now - j.startedAt.getTime(), ctx.locale),
      }),
      j.canceledBy ? fill(text.cancelling[ctx.locale], { by: j.canceledBy }) : '',
    ]);
    return { outcome: 'ok', text: alignColumns(rows).join('\n'), data: running };
  },
});

export const jobsCancel = defineCommand({
  name: 'jobs cancel',
  usage: 'jobs cancel <id>',
  summary: { en: 'stop a running job', fr: 'arrête une tâche en cours' },
  positionals: ['id'],
  args: z.object({ id: z.string().transform((id) => id.replace(/^#/, '')) }),
  changes: true,
  async run(ctx, args) {
    const job = await ctx.services.operations.cancelJob(args.id, actorLabel(ctx.actor));
    return {
      outcome: 'ok',
      text: fill(text.cancelled[ctx.locale], { id: job.id, key: job.key }),
      auditDetail: `cancelled job ${job.id} (${job.key}), started by ${job.startedBy}`,
    };
  },
});
