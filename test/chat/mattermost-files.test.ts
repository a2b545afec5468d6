import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlatforms } from '../../src/chat/build-platforms.js';
import { DeliveryError } from '../../src/chat/delivery/delivery-error.js';
import type { ChatMessage } from '../../src/chat/message.js';
import { SecretPrompts } from '../../src/chat/secret-prompts.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/http/metrics.js';
import { AuditStore } from '../../src/store/audit-store.js';
import { ConfirmationStore } from '../../src/store/confirmation-store.js';
import { openDatabase } from '../../src/store/database.js';
import { startWorld } from '../emulators/mattermost/fixture.js';
import { testConfig } from '../support/app.js';
import { type Harness, type HarnessOptions, startHarness } from './mattermost-harness.js';

/*
 * Messages with files on Mattermost, through the real MattermostPlatform (and the delivery
 * queue and outbox of the harness) against the emulator, with the files on disk under the
 * harness's reports/ folder.
 */

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const md = Buffer.from('# November report\n\n| host | disk |\n| --- | --- |\n| b7-srv | 71 % |\n');
let png: Buffer;

async function start(options: HarnessOptions = {}): Promise<{ h: Harness; month: string }> {
  h = await startHarness(options);
  const month = join(h.dir, 'reports', '2026-11');
  await mkdir(month, { recursive: true });
  png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(4000)]);
  await writeFile(join(month, 'disk-2026-11.png'), png);
  await writeFile(join(month, 'report-2026-11.md'), md);
  return { h, month };
}

const report = (month: string): ChatMessage => ({
  title: 'IT report, November 2026',
  body: 'runs 42, failed 1',
  files: [
    { path: join(month, 'report-2026-11.md'), name: 'report-2026-11.md' },
    { path: join(month, 'disk-2026-11.png'), name: 'disk-2026-11.png', title: 'Disk use' },
  ],
});

const TEXT = '**IT report, November 2026**\n```\nruns 42, failed 1\n```';

describe('Mattermost messages with files (emulator)', () => {
  it('posts the message with its files attached, byte for byte, in the right channel', async () => {
    const { h, month } = await start();
    await h.platform.deliver('infra', report(month));
    const posts = h.world.emulator.posts;
    expect(posts.map((p) => [p.channel_id, p.message, p.file_ids.length])).toEqual([[h.world.ids.infra, TEXT, 2]]);
    const files = posts[0]?.file_ids.map((id) => h.world.emulator.files.get(id));
    expect(files?.map((f) => [f?.name, f?.post_id, f?.channel_id, f?.user_id])).toEqual([
      ['report-2026-11.md', posts[0]?.id, h.world.ids.infra, h.world.ids.bot],
      ['disk-2026-11.png', posts[0]?.id, h.world.ids.infra, h.world.ids.bot],
    ]);
    expect(files?.[0]?.bytes.equals(md)).toBe(true);
    expect(files?.[1]?.bytes.equals(png)).toBe(true);
    expect(h.world.emulator.warnings).toEqual([]);
  });

  it('puts 10 files on the last post and the others on a post of their own', async () => {
    const { h, month } = await start();
    const files = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const path = join(month, `chart-${i}.md`);
        await writeFile(path, `chart ${i}\n`);
        return { path, name: `chart-${i}.md` };
      }),
    );
    await h.platform.deliver('infra', { body: 'charts', files });
    const posts = h.world.emulator.posts;
    expect(posts.map((p) => [p.message, p.file_ids.length])).toEqual([
      ['```\ncharts\n```', 10],
      ['', 2],
    ]);
    const names = posts.flatMap((p) => p.file_ids.map((id) => h.world.emulator.files.get(id)?.name));
    expect(names).toEqual(files.map((f) => f.name));
  });

  it('posts the text with a note naming a file that is missing or too large', async () => {
    const { h, month } = await start();
    await writeFile(join(month, 'huge.png'), Buffer.alloc(20 * 1024 * 1024 + 1));
    const message = report(month);
    message.files = [
      ...(message.files ?? []),
      { path: join(month, 'cpu-2026-11.png'), name: 'cpu-2026-11.png' },
      { path: join(month, 'huge.png'), name: 'huge.png' },
    ];
    await h.platform.deliver('infra', message);
    const [post] = h.world.emulator.posts;
    expect(post?.message).toBe(
      `${TEXT}\n⚠ \`cpu-2026-11.png\` could not be attached: the file is not there.\n` +
        '⚠ `huge.png` could not be attached: it is larger than 20 MB.',
    );
    expect(post?.file_ids.map((id) => h.world.emulator.files.get(id)?.name)).toEqual([
      'report-2026-11.md',
      'disk-2026-11.png',
    ]);
  });

  it('posts nothing when Mattermost refuses the upload (file over MaxFileSize)', async () => {
    const { h, month } = await start({ world: { maxFileSize: 1000 } });
    const failure = await h.platform.deliver('infra', report(month)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeliveryError);
    expect(failure).toMatchObject({
      platform: 'mattermost',
      code: 'too_large',
      retryable: false,
      message: 'files.upload: a file is larger than the Mattermost server allows (FileSettings.MaxFileSize)',
    });
    expect(h.world.emulator.posts).toHaveLength(0);
  });

  it('says so when the server has file attachments off, and posts nothing', async () => {
    const { h, month } = await start({ world: { enableFileAttachments: false } });
    await expect(h.platform.deliver('infra', report(month))).rejects.toMatchObject({
      code: 'file_attachments_disabled',
      retryable: false,
      message: 'files.upload: file attachments are off on the Mattermost server (FileSettings.EnableFileAttachments)',
    });
    expect(h.world.emulator.posts).toHaveLength(0);
  });

  it('posts nothing when the bot may not upload to the channel', async () => {
    const { h, month } = await start();
    const failure = await h.platform.deliver('general', report(month)).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'forbidden', retryable: false });
    expect(h.world.emulator.posts).toHaveLength(0);
    expect(h.world.emulator.files.size).toBe(0);
  });

  it('reuses the uploaded files and posts once when the post failed and the queue retries', async () => {
    const { h, month } = await start();
    // The harness's API retries twice itself: three 503s make the delivery fail once.
    h.world.emulator.failNext('POST /api/v4/posts', { status: 503, times: 3 });
    const failure = await h.platform.deliver('infra', report(month)).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'http_503', retryable: true });
    await h.platform.deliver('infra', report(month));
    expect(h.world.emulator.posts.map((p) => [p.message, p.file_ids.length])).toEqual([[TEXT, 2]]);
    expect(h.world.emulator.files.size).toBe(2);
    expect(h.world.emulator.calls.filter((c) => c.path === '/api/v4/files')).toHaveLength(1);
  });

  it('delivers a queued message with files once; the outbox row holds paths, not bytes', async () => {
    const { h, month } = await start();
    h.world.emulator.failNext('POST /api/v4/posts', { status: 503, times: 3 });
    h.queue.post('infra', report(month), 'mattermost');
    await h.queue.drain('mattermost', 15_000);
    const row = h.db.prepare('SELECT message, attempts, delivered_at FROM outbox').get() as {
      message: string;
      attempts: number;
      delivered_at: string | null;
    };
    expect(row.delivered_at).not.toBeNull();
    expect(row.attempts).toBe(2);
    expect(JSON.parse(row.message)).toEqual(report(month));
    expect(row.message.length).toBeLessThan(600);
    expect(h.world.emulator.posts).toHaveLength(1);
    expect(h.world.emulator.posts[0]?.file_ids).toHaveLength(2);
  });

  it('reads files from the reports/ folder beside the configured database, and from nowhere else', async () => {
    const world = await startWorld();
    const data = await mkdtemp(join(tmpdir(), 'detour-data-'));
    try {
      await mkdir(join(data, 'var', 'reports', '2026-11'), { recursive: true });
      await writeFile(join(data, 'var', 'reports', '2026-11', 'report.md'), md);
      await writeFile(join(data, 'report.md'), md);
      const config = testConfig(
        {
          database: './var/detour.db',
          chat: {
            mattermost: { url: world.emulator.url, botToken: world.botToken, commandToken: 'c', team: 'detour' },
          },
          channels: { infra: '~infra' },
        },
        data,
      );
      const db = openDatabase(':memory:');
      const { platforms } = await buildPlatforms({
        config,
        confirmations: new ConfirmationStore(db),
        prompts: new SecretPrompts(db),
        metrics: new Metrics(),
        audit: new AuditStore(db),
        logger: silentLogger,
        now: () => new Date(),
        enqueue: () => {},
      });
      await platforms[0]?.deliver('infra', {
        body: 'report',
        files: [
          { path: join(data, 'var', 'reports', '2026-11', 'report.md'), name: 'report.md' },
          { path: join(data, 'report.md'), name: 'elsewhere.md' },
        ],
      });
      const [post] = world.emulator.posts;
      expect(post?.file_ids.map((id) => world.emulator.files.get(id)?.name)).toEqual(['report.md']);
      expect(post?.message).toContain('`elsewhere.md` could not be attached: it is not in the reports folder.');
    } finally {
      await world.emulator.close();
      await rm(data, { recursive: true, force: true });
    }
  });
});
