import { z } from 'zod';
import { defineCommand } from '../src/core/command.js';
import { sinceOption } from './since-option.js';

const USAGE = 'digest [--since ISO|duration]';

/**
 * The morning digest, now. Answered privately like every reply by default:
 * the scheduled one goes to the digest channel; asking for it again should
 * not post a second copy there.
 */
export const digest = defineCommand({
  name: 'digest',
  usage: USAGE,
  summary: {
    en: 'the morning digest, now (since Friday 09:00 on Mondays, else the last 24 h)',
    fr: 'le point du matin, maintenant (depuis vendredi 9 h le lundi, sinon les dernières 24 h)',
  },
  options: ['since'],
  args: z.object({ since: z.string().optional() }),
  changes: false,
  async run(ctx, args) {
    const since = args.since === undefined ? undefined : sinceOption(args.since, ctx.locale, ctx.timeZone, USAGE);
    const message = await ctx.services.digest.digest({ since });
    return {
      outcome: 'ok',
      text: message.title === undefined ? message.body : `${message.title}\n${message.body}`,
      data: message,
    };
  },
});
