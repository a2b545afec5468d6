import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/chat/message.js';
import { SecretPrompts } from '../../src/chat/secret-prompts.js';
import { SlackPlatform } from '../../src/chat/slack/slack-platform.js';
import { validateConfig } from '../../src/config/load.js';
import { CommandFailedError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/http/metrics.js';
import { AuditStore } from '../../src/store/audit-store.js';
import { ConfirmationStore } from '../../src/store/confirmation-store.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { createSlackEmulator, type SlackEmulator } from '../emulators/slack/index.js';
import { ALICE, BOT_TOKEN, INFRA, SIGNING_SECRET, workspace } from '../emulators/slack-fixtures.js';
import { waitFor } from '../support/wait.js';

/*
 * The one-time passphrase link is the prompt's only key. When Slack cannot take it now, it must
 * not wait in the delivery queue (stored in SQLite until Slack is back): the prompt is withdrawn
 * and the command fails with a clear message instead.
 */
let slack: SlackEmulator;
let server: Server;
let url: string;
let db: Db;
const queued: { channel: string; message: ChatMessage }[] = [];
let asked: Promise<unknown> | undefined;

beforeAll(async () => {
  slack = await createSlackEmulator(workspace());
  const config = validateConfig(
    { chat: { slack: { mode: 'http', botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: slack.apiUrl } } },
    {},
    '/tmp',
    'test',
  );
  db = openDatabase(':memory:');
  const platform = new SlackPlatform({
    slack: config.chat.slack as NonNullable<typeof config.chat.slack>,
    chat: config.chat,
    channels: {},
    publicUrl: 'https://bot.example.org',
    locale: 'en',
    confirmations: new ConfirmationStore(db),
    prompts: new SecretPrompts(db),
    metrics: new Metrics(),
    audit: new AuditStore(db),
    logger: silentLogger,
    now: () => new Date(),
    retries: 0,
    enqueue: (channel, message) => void queued.push({ channel, message }),
    filesRoot: '/nonexistent/reports',
  });
  await platform.start(async (inv) => {
    // Slack goes away just as the command asks for the passphrase.
    slack.outage(5_000);
    asked = inv.askSecret?.('Passphrase for dataproxies:').then(
      () => 'answered',
      (error: unknown) => error,
    );
    const outcome = await asked;
    const text = outcome instanceof CommandFailedError ? outcome.message : 'unexpected';
    return { outcome: 'failed', text, auditId: 1, command: 'unlock', replyIn: 'private' };
  });
  server = createServer((req, res) => platform.handleHttp(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});
afterAll(async () => {
  server?.close();
  await slack?.close();
});

it('never queues the passphrase link: the prompt is withdrawn and the command says to try again', async () => {
  await slack.sendSlashCommand({ user: ALICE, channel: INFRA, text: 'unlock dataproxies', command: '/detour', url });
  await waitFor('the prompt refused', () => asked, 10_000);
  const outcome = await asked;
  expect(outcome).toBeInstanceOf(CommandFailedError);
  expect((outcome as CommandFailedError).code).toBe('prompt_undeliverable');
  await waitFor('the failure queued for later', () =>
    queued.find((q) => q.message.body.includes('Run the command again')),
  );
  expect(queued.some((q) => JSON.stringify(q.message).includes('/prompt/'))).toBe(false);
  // The link is dead at once, not at the end of the prompt timeout.
  const rows = db.prepare('SELECT used_at FROM secret_prompts').all() as { used_at: string | null }[];
  expect(rows).toHaveLength(1);
  expect(rows[0]?.used_at).not.toBeNull();
});
