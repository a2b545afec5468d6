import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commands } from '../../commands/index.js';
import { DeliveryQueue } from '../../src/chat/delivery/delivery-queue.js';
import { MattermostPlatform } from '../../src/chat/mattermost/mattermost-platform.js';
import { SecretPrompts } from '../../src/chat/secret-prompts.js';
import { CommandFailedError } from '../../src/core/errors.js';
import { type Logger, silentLogger } from '../../src/core/logger.js';
import { createPipeline } from '../../src/core/pipeline.js';
import type { OperationsService, UnlockResult } from '../../src/core/ports/operations.js';
import type { Services } from '../../src/core/services.js';
import { Metrics } from '../../src/http/metrics.js';
import { secretPageRoutes } from '../../src/http/secret-page.js';
import { type HttpServer, type Routes, startHttpServer } from '../../src/http/server.js';
import { AuditStore } from '../../src/store/audit-store.js';
import { ConfirmationStore } from '../../src/store/confirmation-store.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { OutboxStore } from '../../src/store/outbox-store.js';
import { startWorld, type World } from '../emulators/mattermost/fixture.js';
import type { MattermostEmulatorOptions } from '../emulators/mattermost/index.js';
import { testConfig } from '../support/app.js';

/*
 * The Mattermost adapter on the bot's real HTTP server, the real pipeline and
 * commands, SQLite stores and delivery queue, against the Mattermost
 * emulator. Only the operations service is a fake: these tests are about the
 * adapter, the end-to-end suite drives the real tools.
 */
/** DETOUR_TEST_LOG=1 shows the adapter's log lines while debugging. */
const consoleLogger: Logger = {
  debug: (f, m) => console.error('debug', m, f),
  info: (f, m) => console.error('info', m, f),
  warn: (f, m) => console.error('warn', m, f),
  error: (f, m) => console.error('error', m, f),
  child: () => consoleLogger,
};

export const PASS = 'unit-mm-passphrase-5e1b';

export interface FakeOperations {
  service: OperationsService;
  cancelled: { id: string; by: string }[];
  passphrases: string[];
}

function fakeOperations(): FakeOperations {
  const cancelled: FakeOperations['cancelled'] = [];
  const passphrases: string[] = [];
  const service: OperationsService = {
    playbooks: () => [],
    runPlaybook: () => Promise.reject(new Error('not used here')),
    jobs: async () => [],
    async cancelJob(id, by) {
      if (id !== '42') throw new CommandFailedError('unknown_job', `no running job ${id}`);
      cancelled.push({ id, by });
      return { id, key: 'ansible:slow', startedBy: 'alice@epicerieledetour.org', startedAt: new Date() };
    },
    unlockTargets: () => ['dataproxies'],
    async unlock(_target, passphrase): Promise<UnlockResult> {
      passphrases.push(passphrase.reveal());
      const ok = passphrase.reveal() === PASS;
      const step = {
        step: 'check_passphrase' as const,
        ok,
        outcome: ok ? ('ok' as const) : ('wrong_passphrase' as const),
      };
      return { via: 'local', host: 'local', report: { ok, steps: [{ ...step, exitCode: ok ? 0 : 2, detail: '' }] } };
    },
  };
  return { service, cancelled, passphrases };
}

export interface Harness {
  world: World;
  /** The platform now serving (a new one after `restart()`). */
  platform: MattermostPlatform;
  /** The folder of the SQLite file, with `dbFile`. */
  dir: string;
  botUrl: string;
  db: Db;
  audit: AuditStore;
  metrics: Metrics;
  outbox: OutboxStore;
  /** The delivery queue the platform is registered with (and enqueues to). */
  queue: DeliveryQueue;
  operations: FakeOperations;
  /** Stops the platform and starts a new one on the same database, as a restart of the bot would. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  http?: Record<string, unknown>;
  promptTimeout?: string;
  /** chat.mattermost.dialogTimeout. */
  dialogTimeout?: string;
  /** Sets http.publicUrl to the bot's own address, where the one-time passphrase page is served. */
  publicUrl?: boolean;
  /** Keeps the database in a file under `dir` (a restart can reopen it). */
  dbFile?: boolean;
  /** Settings of the emulated server (maxFileSize, enableFileAttachments…). */
  world?: Partial<MattermostEmulatorOptions>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'detour-mm-'));
  const world = await startWorld(options.world);
  // The HTTP server comes first: its address is the publicUrl the platform is built with.
  const routes: Routes = {};
  const http: HttpServer = await startHttpServer('127.0.0.1:0', routes, (error) => {
    throw error;
  });
  const botUrl = `http://127.0.0.1:${http.address.port}`;
  const config = testConfig(
    {
      http: { listen: '127.0.0.1:0', ...(options.publicUrl ? { publicUrl: botUrl } : {}), ...options.http },
      chat: {
        mattermost: {
          url: world.emulator.url,
          botToken: world.botToken,
          commandToken: world.commandToken,
          team: 'detour',
          ...(options.dialogTimeout ? { dialogTimeout: options.dialogTimeout } : {}),
        },
        promptTimeout: options.promptTimeout ?? '1m',
      },
      channels: { infra: '#infra', general: '~general' },
    },
    dir,
  );
  const db = openDatabase(options.dbFile ? join(dir, 'detour.db') : ':memory:');
  const audit = new AuditStore(db);
  const metrics = new Metrics();
  const operations = fakeOperations();
  const pipeline = createPipeline({
    commands,
    access: config.access,
    audit,
    services: { operations: operations.service } as Services,
    locale: 'en',
    timeZone: 'Europe/Paris',
    logger: silentLogger,
  });
  const outbox = new OutboxStore(db);
  const queue = new DeliveryQueue({ store: outbox, logger: silentLogger, baseBackoffMs: 100, maxBackoffMs: 1_000 });
  const prompts = new SecretPrompts(db);
  const mattermost = config.chat.mattermost;
  if (!mattermost) throw new Error('no chat.mattermost in the test config');
  const makePlatform = () =>
    new MattermostPlatform({
      mattermost,
      chat: config.chat,
      channels: config.channels,
      publicUrl: config.http.publicUrl,
      listen: config.http.listen,
      locale: 'en',
      confirmations: new ConfirmationStore(db),
      prompts,
      metrics,
      audit,
      logger: process.env.DETOUR_TEST_LOG ? consoleLogger : silentLogger,
      now: () => new Date(),
      enqueue: (channel, message, delayMs) => queue.post(channel, message, 'mattermost', delayMs),
      // Where files attached to messages may be read from (tests write them there).
      filesRoot: join(dir, 'reports'),
      retries: 2,
      backoffMs: 50,
    });
  let platform = makePlatform();
  Object.assign(routes, {
    'POST /mattermost/command': (req, res) => platform.handleCommand(req, res),
    'POST /mattermost/actions': (req, res) => platform.handleAction(req, res),
    ...secretPageRoutes(prompts, 'en'),
  } satisfies Routes);
  await platform.start(pipeline);
  queue.register('mattermost', (channel, message) => platform.deliver(channel, message));
  const harness: Harness = {
    world,
    platform,
    dir,
    botUrl,
    db,
    audit,
    metrics,
    outbox,
    queue,
    operations,
    async restart() {
      await platform.stop();
      platform = makePlatform();
      harness.platform = platform;
      await platform.start(pipeline);
    },
    async close() {
      queue.stop();
      prompts.close();
      await platform.stop();
      await http.close();
      await world.emulator.close();
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
