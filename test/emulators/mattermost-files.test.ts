/**
 * The Mattermost emulator's file upload (test/emulators/mattermost/files.ts) and the rule by
 * which a post takes files, driven by the real @mattermost/client where it can (its uploadFile
 * with Node 20's global FormData and Blob) and by fetch for what a client would not send.
 */
import mattermostClient from '@mattermost/client';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from './mattermost/fixture.js';

const { Client4, ClientError } = mattermostClient;

const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.emulator.close();
});

async function start(overrides = {}) {
  const world = await startWorld(overrides);
  worlds.push(world);
  const client = new Client4();
  client.setUrl(world.emulator.url);
  client.setToken(world.botToken);
  return { world, client };
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const MD = Buffer.from('# Rapport de novembre\n');

function form(channelId: string, files: [string, Buffer][], extra: [string, string][] = []): FormData {
  const f = new FormData();
  f.append('channel_id', channelId);
  for (const [name, value] of extra) f.append(name, value);
  for (const [name, bytes] of files) f.append('files', new Blob([bytes]), name);
  return f;
}

async function rejection(p: Promise<unknown>): Promise<InstanceType<typeof ClientError>> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ClientError);
  return err as InstanceType<typeof ClientError>;
}

describe('POST /api/v4/files (emulator)', () => {
  it('takes a multipart upload from Client4.uploadFile: 201, file_infos in order, bytes kept', async () => {
    const { world, client } = await start();
    const answer = await client.uploadFile(
      form(world.ids.infra, [
        ['disk-2026-11.png', PNG],
        ['rapport-2026-11.md', MD],
      ]),
    );
    expect(answer.client_ids).toEqual([]);
    expect(answer.file_infos.map((f) => [f.name, f.extension, f.size, f.mime_type, f.post_id])).toEqual([
      ['disk-2026-11.png', 'png', PNG.length, 'image/png', ''],
      ['rapport-2026-11.md', 'md', MD.length, 'text/markdown', ''],
    ]);
    const [png, md] = answer.file_infos.map((f) => world.emulator.files.get(f.id));
    expect(png?.bytes.equals(PNG)).toBe(true);
    expect(md?.bytes.equals(MD)).toBe(true);
    expect(png).toMatchObject({ user_id: world.ids.bot, channel_id: world.ids.infra });
  });

  it('attaches to a post only the poster’s own files not attached yet; other ids are dropped', async () => {
    const { world, client } = await start();
    const [a, b] = (
      await client.uploadFile(
        form(world.ids.infra, [
          ['a.png', PNG],
          ['b.md', MD],
        ]),
      )
    ).file_infos;
    const first = await client.createPost({
      channel_id: world.ids.infra,
      message: 'report',
      file_ids: [a?.id ?? '', 'zzzzzzzzzzzzzzzzzzzzzzzzzz'],
    } as never);
    expect(first.file_ids).toEqual([a?.id]);
    expect(world.emulator.files.get(a?.id ?? '')?.post_id).toBe(first.id);
    // Already attached: a second post cannot take it.
    const second = await client.createPost({
      channel_id: world.ids.infra,
      message: 'again',
      file_ids: [a?.id ?? '', b?.id ?? ''],
    } as never);
    expect(second.file_ids).toEqual([b?.id]);
    expect(world.emulator.warnings.map((w) => w.message)).toEqual([
      'Failed to attach file zzzzzzzzzzzzzzzzzzzzzzzzzz to post',
      `Failed to attach file ${a?.id} to post`,
    ]);
  });

  it('refuses more than 10 file ids on one post (Post.IsValid)', async () => {
    const { world, client } = await start();
    const files = Array.from({ length: 11 }, (_, i) => [`f${i}.md`, MD] as [string, Buffer]);
    const infos = (await client.uploadFile(form(world.ids.infra, files))).file_infos;
    const ids = infos.map((f) => f.id);
    const tooMany = await rejection(
      client.createPost({ channel_id: world.ids.infra, message: '', file_ids: ids } as never),
    );
    expect(tooMany).toMatchObject({ status_code: 400, server_error_id: 'model.post.is_valid.file_ids.app_error' });
    const ten = await client.createPost({
      channel_id: world.ids.infra,
      message: '',
      file_ids: ids.slice(0, 10),
    } as never);
    expect(ten.file_ids).toHaveLength(10);
  });

  it('refuses a channel the bot is not in, a missing channel_id, an unknown field, mismatched client ids', async () => {
    const { world, client } = await start();
    const notMember = await rejection(client.uploadFile(form(world.ids.general, [['a.md', MD]])));
    expect(notMember).toMatchObject({ status_code: 403, server_error_id: 'api.context.permissions.app_error' });
    const noChannel = new FormData();
    noChannel.append('files', new Blob([MD]), 'a.md');
    expect(await rejection(client.uploadFile(noChannel))).toMatchObject({
      status_code: 400,
      server_error_id: 'api.context.invalid_url_param.app_error',
    });
    const unknownField = form(world.ids.infra, [['a.md', MD]], [['title', 'x']]);
    expect(await rejection(client.uploadFile(unknownField))).toMatchObject({
      status_code: 400,
      server_error_id: 'api.context.invalid_body_param.app_error',
    });
    const clientIds = form(
      world.ids.infra,
      [
        ['a.md', MD],
        ['b.md', MD],
      ],
      [['client_ids', 'c1']],
    );
    expect(await rejection(client.uploadFile(clientIds))).toMatchObject({
      status_code: 400,
      server_error_id: 'api.file.upload_file.incorrect_number_of_client_ids.app_error',
    });
    expect(world.emulator.files.size).toBe(0);
  });

  it('refuses a file over MaxFileSize (413) and every upload when attachments are disabled (403)', async () => {
    const small = await start({ maxFileSize: 10 });
    const tooLarge = await rejection(small.client.uploadFile(form(small.world.ids.infra, [['disk.png', PNG]])));
    expect(tooLarge).toMatchObject({
      status_code: 413,
      server_error_id: 'api.file.upload_file.too_large_detailed.app_error',
    });
    await expect(
      small.client.uploadFile(form(small.world.ids.infra, [['ok.md', MD.subarray(0, 10)]])),
    ).resolves.toBeTruthy();
    const disabled = await start({ enableFileAttachments: false });
    expect(await rejection(disabled.client.uploadFile(form(disabled.world.ids.infra, [['a.md', MD]])))).toMatchObject({
      status_code: 403,
      server_error_id: 'api.file.attachments.disabled.app_error',
    });
  });

  it('needs a session like every API route', async () => {
    const { world } = await start();
    const res = await fetch(`${world.emulator.url}/api/v4/files`, {
      method: 'POST',
      body: form(world.ids.infra, [['a.md', MD]]),
    });
    expect(res.status).toBe(401);
    expect(world.emulator.files.size).toBe(0);
  });
});
