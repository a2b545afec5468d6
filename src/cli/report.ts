import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { actorLabel } from '../core/actor.js';
import { UsageError } from '../core/errors.js';
import { isMonth } from '../core/month.js';
import { createLogger } from '../log.js';
import { buildApp, lazyExecaRunner } from '../main.js';
import { loadCliConfig } from './load.js';
import { printable } from './terminal-text.js';
import type { CliValues } from './values.js';

const USAGE = 'usage: detour report monthly [--month YYYY-MM] [--out DIR] [--config F]';

/**
 * `detour report monthly`: builds a month's report from the store (default last month), writes
 * the Markdown and the charts (to `--out`, else the data folder's `reports/YYYY-MM/`), prints the
 * headline figures and where the files are. Audited as the person at the terminal. Nothing is
 * posted: the scheduled job posts on the 1st.
 */
export async function reportCommand(args: string[], values: CliValues): Promise<number> {
  if (args.length !== 1 || args[0] !== 'monthly') {
    process.stderr.write(
      `detour report: ${args.length === 0 ? 'say which report' : `unknown report "${args.join(' ')}"`}\n${USAGE}\n`,
    );
    return 2;
  }
  if (values.month !== undefined && !isMonth(values.month)) {
    process.stderr.write(`detour report monthly: --month must be YYYY-MM (2026-11), got "${values.month}"\n${USAGE}\n`);
    return 2;
  }
  const logger = createLogger({ level: process.env.DETOUR_LOG_LEVEL ?? 'error', destination: 2 });
  const { config } = await loadCliConfig(values, logger);
  const app = buildApp({ config, logger, run: lazyExecaRunner, refresh: 'before-answer' });
  const text = ['report monthly', values.month && `--month ${values.month}`].filter(Boolean).join(' ');
  const auditId = app.audit.start({
    actor: actorLabel({ kind: 'local', username: userInfo().username }),
    platform: 'console',
    command: 'report monthly',
    text,
  });
  try {
    const built = await app.report.monthly({
      month: values.month,
      outDir: values.out === undefined ? undefined : resolve(values.out),
    });
    app.audit.finish(auditId, 'ok', `${built.files.length} file(s) written`);
    const lines = [built.title, built.body, '', ...built.files];
    process.stdout.write(`${printable(lines.join('\n'))}\n`);
    return 0;
  } catch (error) {
    const usage = error instanceof UsageError;
    const message = (error as Error).message;
    app.audit.finish(auditId, usage ? 'usage' : 'error', message.slice(0, 200));
    process.stderr.write(`detour report monthly: ${printable(message)}\n`);
    return usage ? 2 : 1;
  } finally {
    await app.close();
  }
}
