import { buildPlatforms } from '../chat/build-platforms.js';
import { channelPoster } from '../chat/delivery/channel-post.js';
import { DeliveryQueue } from '../chat/delivery/delivery-queue.js';
import { type ChatPlatform, stopPlatforms } from '../chat/platform.js';
import { RejectedRequests } from '../chat/rejected-request.js';
import { SecretPrompts } from '../chat/secret-prompts.js';
import { healthRoute } from '../http/health.js';
import { Metrics } from '../http/metrics.js';
import { pingRoutes } from '../http/ping.js';
import { secretPageRoutes } from '../http/secret-page.js';
import { startHttpServer } from '../http/server.js';
import { createLogger } from '../log.js';
import { buildApp, lazyExecaRunner } from '../main.js';
import { jobsWithNothingToDo } from '../scheduler/nothing-to-do.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { ConfirmationStore } from '../store/confirmation-store.js';
import { JobRunStore } from '../store/job-run-store.js';
import { OutboxStore } from '../store/outbox-store.js';
import { startPruning } from '../store/retention.js';
import { loadCliConfig } from './load.js';
import { startupDone } from './startup-heap.js';
import type { CliValues } from './values.js';

const STOP_TIMEOUT_MS = 5_000;
const EXIT_GRACE_MS = 1_000;

/** `detour serve`: chat platforms, the HTTP server, the console when stdin is a terminal; stops cleanly on a signal. */
export async function serve(values: CliValues): Promise<number> {
  const logger = createLogger({ level: process.env.DETOUR_LOG_LEVEL ?? 'info', destination: 1 });
  const { config, label } = await loadCliConfig(values, logger);
  const app = buildApp({
    config,
    logger,
    run: lazyExecaRunner,
    refresh: 'background',
    // Finished backups go to the backups channel; `post` is built below, with the platforms.
    post: (channel, message) => post(channel, message),
  });
  const now = () => new Date();
  const pruning = startPruning({
    db: app.db,
    retention: config.retention,
    logger: logger.child({ component: 'retention' }),
    now,
  });
  const metrics = new Metrics();
  const prompts = new SecretPrompts(app.db, now);
  const delivery = new DeliveryQueue({
    store: new OutboxStore(app.db),
    logger: logger.child({ component: 'delivery' }),
    onDepth: (platform, depth) => metrics.deliveryQueueDepth.set({ platform }, depth),
  });
  // Known once the server listens (a `:0` port is chosen then); Mattermost's button URLs need it.
  let boundUrl: string | undefined;
  // The console may close (Ctrl-D) before the stop below exists: it is asked for then.
  let requestStop = (reason: string) => {
    stopAsked = reason;
  };
  let stopAsked: string | undefined;
  const built = await buildPlatforms({
    config,
    confirmations: new ConfirmationStore(app.db),
    prompts,
    metrics,
    audit: app.audit,
    logger,
    now,
    enqueue: (platform, channel, message, delayMs) => delivery.post(channel, message, platform, delayMs),
    listenUrl: () => boundUrl,
    terminal: process.stdin.isTTY
      ? { input: process.stdin, output: process.stdout, onClose: () => requestStop('console closed') }
      : undefined,
  });
  const platforms: ChatPlatform[] = [...built.platforms];
  // Messages nobody asked for (digest, alerts, backup summaries): to a logical channel, on every
  // platform that posts to channels.
  const post = channelPoster({
    channels: config.channels,
    platforms: () => platforms,
    queue: (channel, message, platform) => delivery.post(channel, message, platform),
  });
  const scheduler = new Scheduler({
    schedule: config.schedule,
    timezone: config.timezone,
    nothingToDo: jobsWithNothingToDo(config),
    context: { probes: app.probes, backups: app.backups, hooks: app.jobHooks, post },
    audit: app.audit,
    runs: new JobRunStore(app.db, now),
    logger: logger.child({ component: 'scheduler' }),
  });
  const rejectedPings = new RejectedRequests({ metrics, logger, audit: app.audit });
  const http = await startHttpServer(
    config.http.listen,
    {
      'GET /healthz': healthRoute(
        app.db,
        () => platforms,
        () => scheduler.status(),
      ),
      'GET /metrics': metrics.route(),
      ...secretPageRoutes(prompts, config.locale),
      ...pingRoutes({ checks: app.checks, rejected: rejectedPings, metrics }),
      ...built.routes,
    },
    (error) => logger.error({ err: error }, 'HTTP handler failed'),
  );
  boundUrl = `http://${http.address.host}:${http.address.port}`;
  logger.info({ config: label, url: boundUrl }, 'detour-bot serving');
  for (const platform of built.platforms) {
    await platform
      .start(app.pipeline)
      .catch((error) => logger.error({ err: error, platform: platform.name }, 'chat platform did not start'));
    delivery.register(platform.name, (channel, message) => platform.deliver(channel, message));
  }
  delivery.setAsideUnregistered();
  // After the platforms: a job's first message (a missed digest caught up) has where to go. The
  // catch-ups are start-up work too (see startup-heap.ts): the young generation grows after them.
  const caughtUp = stopAsked ? Promise.resolve() : scheduler.start();
  void caughtUp.then(startupDone);

  // Resolves once everything is closed, whatever asked to stop: a signal or the console's Ctrl-C.
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = async (reason: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ reason }, 'stopping');
      // First: a running job is aborted while what it uses (platforms, database) is still there.
      await scheduler.stop();
      delivery.stop();
      pruning.stop();
      rejectedPings.close();
      prompts.close();
      await stopPlatforms(platforms, STOP_TIMEOUT_MS, logger);
      await http.close();
      await app.close();
      // Everything of ours is closed. A library's leftover handle (Socket Mode retrying a Slack
      // that vanished mid-shutdown) must not keep the process alive: the timer does not either.
      setTimeout(() => process.exit(0), EXIT_GRACE_MS).unref();
      resolve();
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
    requestStop = (reason) => void stop(reason);
    if (stopAsked) requestStop(stopAsked);
  });
  return 0;
}
