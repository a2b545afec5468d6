/**
 * Conformance of the Mattermost emulator's REST side, driven by the real @mattermost/client.
 * The emulator's inbound side (slash commands, buttons, dialogs) is in mattermost-inbound.test.ts.
 */
import mattermostClient from '@mattermost/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from './mattermost/fixture.js';

// @mattermost/client is CommonJS whose Client4 export Node's ESM loader cannot see by name:
// `import { Client4 } from '@mattermost/client'` fails at run time, the default import works.
const { Client4, ClientError } = mattermostClient;

let world: World;
let client: InstanceType<typeof Client4>;

beforeEach(async () => {
  world = await startWorld();
  client = new Client4();
  client.setUrl(world.emulator.url);
  client.setToken(world.botToken);
});
afterEach(async () => world.emulator.close());

async function rejection(p: Promise<unknown>): Promise<InstanceType<typeof ClientError>> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ClientError);
  return err as InstanceType<typeof ClientError>;
}

describe('posts', () => {
  it('creates a post: 201, Content-Type exactly application/json, the Post model back', async () => {
    const raw = await fetch(`${world.emulator.url}/api/v4/posts`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${world.botToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ channel_id: world.ids.infra, message: 'backup ok #b7' }),
    });
    expect(raw.status).toBe(201);
    expect(raw.headers.get('content-type')).toBe('application/json');
    const post = (await raw.json()) as Record<string, unknown>;
    expect(post).toMatchObject({
      user_id: world.ids.bot,
      channel_id: world.ids.infra,
      message: 'backup ok #b7',
      root_id: '',
      edit_at: 0,
      hashtags: '#b7',
      file_ids: [],
      props: { from_bot: 'true' },
      metadata: {},
    });
    expect(post.id).toMatch(/^[a-z0-9]{26}$/);
  });

  it('strips button integrations from the answer but keeps them stored, with generated action ids', async () => {
    const integration = { url: 'http://127.0.0.1:1/mattermost/actions', context: { secret: 's3' } };
    const created = await client.createPost({
      channel_id: world.ids.infra,
      message: 'Run backup?',
      props: { attachments: [{ text: 'confirm', actions: [{ name: 'Yes', type: 'button', integration }] }] },
    } as never);
    const answered = (created.props as { attachments: { actions: Record<string, unknown>[] }[] }).attachments[0];
    expect(answered?.actions[0]?.integration).toBeUndefined();
    const stored = world.emulator.posts[0]?.props as { attachments: { actions: Record<string, unknown>[] }[] };
    expect(stored.attachments[0]?.actions[0]).toMatchObject({ name: 'Yes', integration });
    expect(stored.attachments[0]?.actions[0]?.id).toMatch(/^[a-z0-9]{26}$/);
    expect(world.emulator.warnings).toEqual([]);
  });

  it('records an action without integration url as a warning, as the server only logs it', async () => {
    await client.createPost({
      channel_id: world.ids.infra,
      message: 'x',
      props: { attachments: [{ actions: [{ name: 'Yes', type: 'button' }] }] },
    } as never);
    expect(world.emulator.warnings.map((w) => w.message)).toEqual([
      'attachment 0 action 0: action must have integration settings',
    ]);
  });

  it('patches a post in place; only PostPatch fields change', async () => {
    const created = await client.createPost({ channel_id: world.ids.infra, message: 'running…' } as never);
    world.advance(1000);
    const patched = await client.patchPost({ id: created.id, message: 'done', channel_id: 'ignored' } as never);
    expect(patched).toMatchObject({ id: created.id, message: 'done', channel_id: world.ids.infra });
    expect(patched.edit_at).toBeGreaterThan(0);
    expect(world.emulator.posts).toHaveLength(1);
    expect(world.emulator.posts[0]?.message).toBe('done');
  });

  it('answers 403, not 404, to a patch of an unknown post (postPatchChecks)', async () => {
    const err = await rejection(client.patchPost({ id: 'a'.repeat(26), message: 'x' } as never));
    expect(err.status_code).toBe(403);
    expect(err.server_error_id).toBe('api.context.permissions.app_error');
  });

  it('refuses a channel the bot is not a member of, and an unknown channel, with 403', async () => {
    for (const channel_id of [world.ids.general, 'z'.repeat(26)]) {
      const err = await rejection(client.createPost({ channel_id, message: 'hi' } as never));
      expect(err.status_code).toBe(403);
      expect(err.server_error_id).toBe('api.context.permissions.app_error');
    }
    expect(world.emulator.posts).toEqual([]);
  });

  it('counts the 16383-rune limit in runes, not bytes or UTF-16 units', async () => {
    const longest = '😀'.repeat(16_383);
    const ok = await client.createPost({ channel_id: world.ids.infra, message: longest } as never);
    expect(ok.message).toBe(longest);
    const err = await rejection(client.createPost({ channel_id: world.ids.infra, message: `${longest}x` } as never));
    expect(err.status_code).toBe(400);
    expect(err.server_error_id).toBe('model.post.is_valid.message_length.app_error');
  });

  it('answers a malformed body with 400 invalid_body_param', async () => {
    const res = await fetch(`${world.emulator.url}/api/v4/posts`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${world.botToken}` },
      body: '{"channel_id": 12}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ id: 'api.context.invalid_body_param.app_error', status_code: 400 });
  });
});

describe('users, auth and channels', () => {
  it('returns a user with email, and the bot for /users/me', async () => {
    const alice = await client.getUser(world.ids.alice);
    expect(alice).toMatchObject({ id: world.ids.alice, username: 'alice', email: 'alice@epicerieledetour.org' });
    expect(alice).not.toHaveProperty('password');
    const me = await client.getMe();
    expect(me).toMatchObject({ id: world.ids.bot, username: 'detour', is_bot: true });
  });

  it('answers 404 for an unknown user and 400 for a malformed id', async () => {
    const missing = await rejection(client.getUser('q'.repeat(26)));
    expect([missing.status_code, missing.server_error_id]).toEqual([404, 'app.user.missing_account.const']);
    const malformed = await rejection(client.getUser('alice'));
    expect([malformed.status_code, malformed.server_error_id]).toEqual([
      400,
      'api.context.invalid_url_param.app_error',
    ]);
  });

  it('answers 401 with an AppError body for a bad or missing token', async () => {
    client.setToken('wrong');
    const err = await rejection(client.getMe());
    expect(err.status_code).toBe(401);
    expect(err.server_error_id).toBe('api.context.session_expired.app_error');
    const bare = await fetch(`${world.emulator.url}/api/v4/users/me`);
    expect(bare.status).toBe(401);
    expect(await bare.json()).toMatchObject({ status_code: 401, detailed_error: '' });
  });

  it('takes the Bearer scheme in any case, as the server does', async () => {
    const res = await fetch(`${world.emulator.url}/api/v4/users/me`, {
      headers: { Authorization: `bearer ${world.botToken}` },
    });
    expect(res.status).toBe(200);
    expect(client.getOptions({ method: 'get' }).headers).toMatchObject({ Authorization: `BEARER ${world.botToken}` });
  });

  it('looks channels up by team and channel name', async () => {
    const infra = await client.getChannelByNameAndTeamName('detour', 'infra');
    expect(infra).toMatchObject({ id: world.ids.infra, name: 'infra', team_id: world.ids.team, type: 'O' });
    const general = await client.getChannelByNameAndTeamName('detour', 'general');
    expect(general.id).toBe(world.ids.general);
    const hidden = await rejection(client.getChannelByNameAndTeamName('detour', 'secret'));
    expect([hidden.status_code, hidden.server_error_id]).toEqual([404, 'app.channel.get_by_name.missing.app_error']);
    const noTeam = await rejection(client.getChannelByNameAndTeamName('nope', 'infra'));
    expect(noTeam.status_code).toBe(404);
  });

  it('gets or creates the direct channel of two users, where the bot can then post', async () => {
    const { bot, alice, bob } = world.ids;
    const dm = await client.createDirectChannel([bot, alice]);
    expect(dm).toMatchObject({ type: 'D', team_id: '', name: [bot, alice].sort().join('__'), display_name: '' });
    // The same channel again, whichever order the ids come in.
    expect((await client.createDirectChannel([alice, bot])).id).toBe(dm.id);
    const post = await client.createPost({ channel_id: dm.id, message: 'just for you' });
    expect(post.channel_id).toBe(dm.id);
    // Not one of the two, and not a system admin: forbidden.
    const others = await rejection(client.createDirectChannel([alice, bob]));
    expect([others.status_code, others.server_error_id]).toEqual([403, 'api.context.permissions.app_error']);
    const three = await rejection(client.createDirectChannel([bot, alice, bob]));
    expect([three.status_code, three.server_error_id]).toEqual([400, 'api.context.invalid_body_param.app_error']);
    const malformed = await rejection(client.createDirectChannel([bot, 'alice']));
    expect(malformed.status_code).toBe(400);
    const unknown = await rejection(client.createDirectChannel([bot, 'q'.repeat(26)]));
    expect([unknown.status_code, unknown.server_error_id]).toEqual([
      400,
      'api.channel.create_direct_channel.invalid_user.app_error',
    ]);
  });
});

describe('faults', () => {
  it('answers 429 as the rate limiter does: text/plain, so Client4 loses the status', async () => {
    world.emulator.failNext('POST /api/v4/posts', { status: 429, retryAfterSeconds: 3 });
    const err = await rejection(client.createPost({ channel_id: world.ids.infra, message: 'x' } as never));
    expect(err.status_code).toBeUndefined();
    // Only the raw answer tells: 429, text/plain, Retry-After (Client4's doFetchWithResponse,
    // which could return it with ignoreStatus, is private).
    world.emulator.failNext('POST /api/v4/posts', { status: 429, retryAfterSeconds: 3 });
    const raw = await fetch(`${world.emulator.url}/api/v4/posts`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${world.botToken}` },
      body: JSON.stringify({ channel_id: world.ids.infra, message: 'x' }),
    });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('3');
    expect(raw.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await raw.text()).toBe('limit exceeded\n');
    expect(world.emulator.posts).toEqual([]);
  });

  it('answers an injected 500 with an AppError Client4 can read, then recovers', async () => {
    world.emulator.failNext('GET /api/v4/users/', { status: 500 });
    const err = await rejection(client.getMe());
    expect(err.status_code).toBe(500);
    await expect(client.getMe()).resolves.toMatchObject({ id: world.ids.bot });
  });

  it('answers 502-504 as a reverse proxy does (HTML), which Client4 cannot read either', async () => {
    world.emulator.failNext(/^GET \/api\/v4\/users\/me$/, { status: 503 });
    const err = await rejection(client.getMe());
    expect(err.status_code).toBeUndefined();
    expect(world.emulator.calls.at(-1)).toMatchObject({ path: '/api/v4/users/me', status: 503 });
  });

  it('resets connections during an outage and serves again after it', async () => {
    const end = world.emulator.outage(60_000);
    const failure = await client.getMe().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(TypeError);
    end();
    await expect(client.getMe()).resolves.toMatchObject({ id: world.ids.bot });
  });
});
