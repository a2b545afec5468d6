import { ConsolePlatform } from '../chat/console/console-platform.js';
import type { ChatPlatform } from '../chat/platform.js';
import type { CliValues } from '../cli.js';
import { healthRoute } from '../http/health.js';
import { startHttpServer } from '../http/server.js';
import { createLogger } from '../log.js';
import { buildApp, lazyExecaRunner } from '../main.js';
import { loadCliConfig } from './load.js';

/** `detour serve`: the HTTP server, the console when stdin is a terminal; stops cleanly on a signal. */
export async function serve(values: CliValues): Promise<number> {
  const logger = createLogger({ level: process.env.DETOUR_LOG_LEVEL ?? 'info', destination: 1 });
  const { config, label } = await loadCliConfig(values, logger);
  const app = buildApp({ config, logger, run: lazyExecaRunner, refresh: 'background' });
  const platforms: ChatPlatform[] = [];
  const http = await startHttpServer(
    config.http.listen,
    { 'GET /healthz': healthRoute(app.db, () => platforms) },
    (error) => logger.error({ err: error }, 'HTTP handler failed'),
  );
  logger.info({ config: label, url: `http://${http.address.host}:${http.address.port}` }, 'detour-bot serving');

  // Resolves once everything is closed, whatever asked to stop: a signal or the console's Ctrl-C.
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = async (reason: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ reason }, 'stopping');
      await Promise.allSettled(platforms.map((p) => p.stop()));
      await http.close();
      app.close();
      resolve();
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
    if (process.stdin.isTTY) {
      const console = new ConsolePlatform({
        input: process.stdin,
        output: process.stdout,
        onClose: () => void stop('console closed'),
      });
      platforms.push(console);
      void console.start(app.pipeline);
    }
  });
  return 0;
}
