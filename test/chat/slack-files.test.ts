import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/chat/delivery/delivery-error.js';
import { DeliveryQueue } from '../../src/chat/delivery/delivery-queue.js';
import type { ChatMessage } from '../../src/chat/message.js';
import { SecretPrompts } from '../../src/chat/secret-prompts.js';
import { SlackPlatform } from '../../src/chat/slack/slack-platform.js';
import { validateConfig } from '../../src/config/load.js';
import type { Locale } from '../../src/core/i18n.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/http/metrics.js';
import { AuditStore } from '../../src/store/audit-store.js';
import { ConfirmationStore } from '../../src/store/confirmation-store.js';
import { openDatabase } from '../../src/store/database.js';
import { OutboxStore } from '../../src/store/outbox-store.js';
import { createSlackEmulator, type SlackEmulator } from '../emulators/slack/index.js';
import { ALICE, BOT_TOKEN, GENERAL, INFRA, SIGNING_SECRET, workspace } from '../emulators/slack-fixtures.js';

/*
 * Messages with files on Slack, through the real SlackPlatform against the emulator, with the
 * files on disk under a data folder's reports/.
 */

let dir: string;
let reports: string;
let png: Buffer;
const md = Buffer.from('# November report\n\n| host | disk |\n| --- | --- |\n| b7-srv | 71 % |\n');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-slack-files-'));
  reports = join(dir, 'reports');
  await mkdir(join(reports, '2026-11'), { recursive: true });
  png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(3000)]);
  await writeFile(join(reports, '2026-11', 'disk-2026-11.png'), png);
  await writeFile(join(reports, '2026-11', 'report-2026-11.md'), md);
  await writeFile(join(dir, 'secrets.txt'), 'not for chat');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const emulators: SlackEmulator[] = [];
afterEach(async () => {
  for (const e of emulators.splice(0)) await e.close();
});

async function setup(options: { locale?: Locale; scopes?: string[] } = {}) {
  const slack = await createSlackEmulator(workspace(options.scopes ? { scopes: options.scopes } : {}));
  emulators.push(slack);
  const config = validateConfig(
    {
      chat: { slack: { mode: 'http', botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: slack.apiUrl } },
      channels: { infra: '#infra', reports: '#general' },
    },
    {},
    dir,
    'test',
  );
  const db = openDatabase(':memory:');
  const platform = new SlackPlatform({
    slack: config.chat.slack as NonNullable<typeof config.chat.slack>,
    chat: config.chat,
    channels: config.channels,
    publicUrl: undefined,
    locale: options.locale ?? 'en',
    confirmations: new ConfirmationStore(db),
    prompts: new SecretPrompts(db),
    metrics: new Metrics(),
    audit: new AuditStore(db),
    logger: silentLogger,
    now: () => new Date(),
    retries: 0,
    enqueue: () => {},
    filesRoot: reports,
  });
  return { slack, platform };
}

const report = (): ChatMessage => ({
  title: 'IT report, November 2026',
  body: 'runs 42, failed 1',
  files: [
    { path: join(reports, '2026-11', 'report-2026-11.md'), name: 'report-2026-11.md', title: 'Full report' },
    { path: join(reports, '2026-11', 'disk-2026-11.png'), name: 'disk-2026-11.png', title: 'Disk use' },
  ],
});

const shared = (slack: SlackEmulator) => [...slack.files.values()].filter((f) => f.completed);
const texts = (slack: SlackEmulator, channel: string) =>
  slack.messages.filter((m) => m.channel === channel && !m.files).map((m) => m.text);

describe('Slack messages with files (emulator)', () => {
  it('posts the message, then shares its files in the same channel, byte for byte', async () => {
    const { slack, platform } = await setup();
    await platform.deliver('infra', report());
    const inInfra = slack.messages.filter((m) => m.channel === INFRA);
    expect(inInfra.map((m) => [m.text, m.files?.length ?? 0])).toEqual([
      ['IT report, November 2026\nruns 42, failed 1', 0],
      ['', 2],
    ]);
    const files = shared(slack);
    expect(files.map((f) => [f.name, f.title, f.channels])).toEqual([
      ['report-2026-11.md', 'Full report', [INFRA]],
      ['disk-2026-11.png', 'Disk use', [INFRA]],
    ]);
    expect(files[0]?.bytes?.equals(md)).toBe(true);
    expect(files[1]?.bytes?.equals(png)).toBe(true);
    expect(inInfra[1]?.files).toEqual(files.map((f) => f.id));
  });

  it('shares files sent to a person in the bot’s direct conversation with them', async () => {
    const { slack, platform } = await setup();
    await platform.deliver(ALICE, report());
    const dm = slack.state.dms.get(ALICE)?.id;
    expect(dm).toMatch(/^D/);
    expect(shared(slack).map((f) => f.channels)).toEqual([[dm], [dm]]);
  });

  it('posts the text with a note when a file is missing, outside reports/, or not a regular file', async () => {
    const { slack, platform } = await setup();
    await symlink(join(dir, 'secrets.txt'), join(reports, '2026-11', 'escape.txt')).catch(() => undefined);
    const fifo = join(reports, '2026-11', 'pipe.png');
    execFileSync('mkfifo', [fifo]);
    await writeFile(join(reports, '2026-11', 'empty.md'), '');
    try {
      const message = report();
      message.files = [
        ...(message.files ?? []),
        { path: join(reports, '2026-11', 'cpu-2026-11.png'), name: 'cpu-2026-11.png' },
        { path: join(dir, 'secrets.txt'), name: 'secrets.txt' },
        { path: join(reports, '2026-11', 'escape.txt'), name: 'escape.txt' },
        { path: join(reports, '2026-11'), name: 'folder' },
        { path: fifo, name: 'pipe.png' },
        { path: join(reports, '2026-11', 'empty.md'), name: 'empty.md' },
        { path: 'reports/2026-11/disk-2026-11.png', name: 'relative.png' },
      ];
      await platform.deliver('infra', message);
    } finally {
      await rm(fifo);
    }
    expect(texts(slack, INFRA)).toEqual([
      'IT report, November 2026\nruns 42, failed 1',
      [
        '⚠ `cpu-2026-11.png` could not be attached: the file is not there.',
        '⚠ `secrets.txt` could not be attached: it is not in the reports folder.',
        '⚠ `escape.txt` could not be attached: it is not in the reports folder.',
        '⚠ `folder` could not be attached: it is not a regular file.',
        '⚠ `pipe.png` could not be attached: it is not a regular file.',
        '⚠ `empty.md` could not be attached: the file is empty.',
        '⚠ `relative.png` could not be attached: it is not in the reports folder.',
      ].join('\n'),
    ]);
    expect(shared(slack).map((f) => f.name)).toEqual(['report-2026-11.md', 'disk-2026-11.png']);
    expect([...slack.files.values()].some((f) => f.bytes?.toString() === 'not for chat')).toBe(false);
  });

  it('writes the note in French for a French bot', async () => {
    const { slack, platform } = await setup({ locale: 'fr' });
    await platform.deliver('infra', {
      body: 'rapport',
      files: [{ path: join(reports, '2026-11', 'absent.png'), name: 'absent.png' }],
    });
    expect(texts(slack, INFRA)).toEqual([
      'rapport',
      '⚠ `absent.png` n’a pas pu être joint : le fichier est introuvable.',
    ]);
    expect(slack.files.size).toBe(0);
  });

  it('stops before posting anything when Slack refuses an upload', async () => {
    const { slack, platform } = await setup();
    slack.failNext('files.getUploadURLExternal', { error: 'file_uploads_disabled' });
    const failure = await platform.deliver('infra', report()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeliveryError);
    expect(failure).toMatchObject({ platform: 'slack', code: 'file_uploads_disabled', retryable: false });
    expect(slack.messages).toHaveLength(0);
  });

  it('names the missing files:write scope', async () => {
    const { slack, platform } = await setup({ scopes: ['chat:write', 'channels:read', 'groups:read'] });
    await expect(platform.deliver('infra', report())).rejects.toMatchObject({
      code: 'missing_scope',
      message: 'files.getUploadURLExternal: the Slack app lacks the files:write permission scope',
    });
    expect(slack.messages).toHaveLength(0);
  });

  it('does not post the text twice when sharing the files failed and the queue retries', async () => {
    const { slack, platform } = await setup();
    slack.failNext('files.completeUploadExternal', { error: 'internal_error' });
    const failure = await platform.deliver('infra', report()).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'internal_error', retryable: true });
    expect(texts(slack, INFRA)).toHaveLength(1);
    await platform.deliver('infra', report());
    expect(texts(slack, INFRA)).toEqual(['IT report, November 2026\nruns 42, failed 1']);
    expect(shared(slack).map((f) => f.name)).toEqual(['report-2026-11.md', 'disk-2026-11.png']);
  });

  it('reports files left unshared in a channel the bot may post to but is not in', async () => {
    const { slack, platform } = await setup({
      scopes: ['chat:write', 'chat:write.public', 'channels:read', 'groups:read', 'files:write'],
    });
    const failure = await platform.deliver('reports', report()).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'not_in_channel', retryable: false });
    expect(texts(slack, GENERAL)).toHaveLength(1);
    expect(shared(slack)).toHaveLength(0);
  });

  it('delivers a queued message with files once, the outbox row holding paths, not bytes', async () => {
    const { slack, platform } = await setup();
    const db = openDatabase(':memory:');
    const store = new OutboxStore(db);
    const queue = new DeliveryQueue({ store, logger: silentLogger, baseBackoffMs: 50, maxBackoffMs: 200 });
    try {
      slack.failNext('files.completeUploadExternal', { error: 'service_unavailable' });
      queue.register('slack', (channel, message) => platform.deliver(channel, message));
      queue.post('infra', report(), 'slack');
      await queue.drain('slack', 10_000);
      const row = db.prepare('SELECT message, attempts, delivered_at FROM outbox').get() as {
        message: string;
        attempts: number;
        delivered_at: string | null;
      };
      expect(row.attempts).toBe(2);
      expect(row.delivered_at).not.toBeNull();
      expect(JSON.parse(row.message)).toEqual(report());
      expect(row.message.length).toBeLessThan(500);
      expect(texts(slack, INFRA)).toHaveLength(1);
      expect(shared(slack).map((f) => f.bytes?.length)).toEqual([md.length, png.length]);
    } finally {
      queue.stop();
      db.close();
    }
  });
});
