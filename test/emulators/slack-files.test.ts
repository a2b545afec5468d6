import { webApi } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackEmulator, type SlackEmulator } from './slack/index.js';
import {
  ALICE,
  BOT_TOKEN,
  clientOptions,
  GENERAL,
  INFRA,
  SECRET_ROOM,
  silentLogger,
  workspace,
} from './slack-fixtures.js';

/*
 * The emulator's external file upload (test/emulators/slack/methods-files.ts), driven by the
 * WebClient for the two methods and by fetch for the upload_url, as the bot does.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(overrides = {}): Promise<{ emulator: SlackEmulator; client: webApi.WebClient }> {
  const emulator = await createSlackEmulator(workspace(overrides));
  cleanups.push(() => emulator.close());
  const client = new webApi.WebClient(BOT_TOKEN, { ...clientOptions(emulator), logger: silentLogger });
  return { emulator, client };
}

async function refusal(call: Promise<unknown>): Promise<Record<string, unknown>> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code: webApi.ErrorCode.PlatformError });
  return (error as { data: Record<string, unknown> }).data;
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

async function reserve(client: webApi.WebClient, bytes: Buffer, filename = 'disk-2026-11.png') {
  const ticket = await client.files.getUploadURLExternal({ filename, length: bytes.length });
  return { id: ticket.file_id as string, url: ticket.upload_url as string };
}

const post = (url: string, body: Buffer, type = 'application/octet-stream') =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': type }, body });

describe('Slack external upload (emulator)', () => {
  it('reserves, takes the bytes on its own loopback upload_url, shares them in the channel', async () => {
    const { emulator, client } = await start();
    const { id, url } = await reserve(client, PNG);
    expect(url.startsWith(`${emulator.baseUrl}upload/v1/`)).toBe(true);
    expect(id).toMatch(/^F[A-Z0-9]{10}$/);
    const upload = await post(url, PNG);
    expect(upload.status).toBe(200);
    expect(emulator.files.get(id)).toMatchObject({ completed: false, channels: [] });
    const done = await client.files.completeUploadExternal({ files: [{ id, title: 'Disk use' }], channel_id: INFRA });
    expect(done.files).toEqual([{ id, title: 'Disk use' }]);
    const file = emulator.files.get(id);
    expect(file?.bytes?.equals(PNG)).toBe(true);
    expect(file).toMatchObject({ name: 'disk-2026-11.png', title: 'Disk use', channels: [INFRA], completed: true });
    expect(emulator.messages.filter((m) => m.channel === INFRA).map((m) => m.files)).toEqual([[id]]);
  });

  it('serves an upload_url once, and refuses bytes that differ from the declared length', async () => {
    const { emulator, client } = await start();
    const first = await reserve(client, PNG);
    expect((await post(first.url, PNG)).status).toBe(200);
    expect((await post(first.url, PNG)).status).toBe(404);
    const second = await reserve(client, PNG);
    expect((await post(second.url, PNG.subarray(1))).status).toBe(400);
    expect(emulator.files.get(second.id)?.bytes).toBeUndefined();
    // The ticket is spent: the right bytes come too late.
    expect((await post(second.url, PNG)).status).toBe(404);
    expect(
      await refusal(client.files.completeUploadExternal({ files: [{ id: second.id }], channel_id: INFRA })),
    ).toMatchObject({ error: 'file_not_found' });
    expect(emulator.uploads.map((u) => u.status)).toEqual([200, 404, 400, 404]);
  });

  it('completes only files uploaded and not completed yet', async () => {
    const { client } = await start();
    const reserved = await reserve(client, PNG);
    const notUploaded = client.files.completeUploadExternal({ files: [{ id: reserved.id }], channel_id: INFRA });
    expect(await refusal(notUploaded)).toMatchObject({ error: 'file_not_found' });
    const unknown = client.files.completeUploadExternal({ files: [{ id: 'F0NOSUCHFILE' }], channel_id: INFRA });
    expect(await refusal(unknown)).toMatchObject({ error: 'file_not_found' });
    await post(reserved.url, PNG);
    await client.files.completeUploadExternal({ files: [{ id: reserved.id }], channel_id: INFRA });
    const twice = client.files.completeUploadExternal({ files: [{ id: reserved.id }], channel_id: INFRA });
    expect(await refusal(twice)).toMatchObject({ error: 'file_not_found' });
  });

  it('shares only in a conversation the bot is in, named by id', async () => {
    const { emulator, client } = await start({
      scopes: ['chat:write', 'chat:write.public', 'files:write', 'channels:read'],
    });
    const uploaded = async () => {
      const r = await reserve(client, PNG);
      await post(r.url, PNG);
      return r.id;
    };
    const share = async (channel_id: string) =>
      refusal(client.files.completeUploadExternal({ files: [{ id: await uploaded() }], channel_id }));
    // chat:write.public lets the bot post in #general, not share files there.
    await expect(client.chat.postMessage({ channel: GENERAL, text: 'x' })).resolves.toMatchObject({ ok: true });
    expect(await share(GENERAL)).toMatchObject({ error: 'not_in_channel' });
    expect(await share(SECRET_ROOM)).toMatchObject({ error: 'channel_not_found' });
    expect(await share('C0NOSUCHCHAN')).toMatchObject({ error: 'channel_not_found' });
    expect(await share(ALICE)).toMatchObject({ error: 'invalid_arguments' });
    expect(await share('infra')).toMatchObject({ error: 'invalid_arguments' });
    // None of them was shared, and each can still be shared where the bot is.
    const pending = [...emulator.files.values()].filter((f) => !f.completed);
    expect(pending).toHaveLength(5);
  });

  it('keeps a file completed without channel_id private', async () => {
    const { emulator, client } = await start();
    const { id, url } = await reserve(client, PNG);
    await post(url, PNG);
    await client.files.completeUploadExternal({ files: [{ id }] });
    expect(emulator.files.get(id)).toMatchObject({ completed: true, channels: [] });
    expect(emulator.messages).toHaveLength(0);
  });

  it('refuses a zero length, a raw multipart body, and a token without files:write', async () => {
    const { client } = await start();
    expect(await refusal(client.files.getUploadURLExternal({ filename: 'a.md', length: 0 }))).toMatchObject({
      error: 'missing_argument',
    });
    const { url } = await reserve(client, PNG);
    const form = new FormData();
    form.append('file', new Blob([PNG]), 'disk.png');
    expect((await fetch(url, { method: 'POST', body: form })).status).toBe(415);
    const limited = await start({ scopes: ['chat:write', 'channels:read'] });
    expect(await refusal(limited.client.files.getUploadURLExternal({ filename: 'a.md', length: 3 }))).toMatchObject({
      error: 'missing_scope',
      needed: 'files:write',
    });
  });
});
