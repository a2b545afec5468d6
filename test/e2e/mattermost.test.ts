import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../emulators/mattermost/fixture.js';
import type { PostRecord } from '../emulators/mattermost/index.js';
import { CLI, startDetour } from '../support/detour.js';
import { createLuksImage, findCryptsetup } from '../support/luks.js';
import { createTestRepos, type TestRepos } from '../support/repos.js';
import { freePort, waitFor } from '../support/wait.js';

/*
 * The real `detour serve` with Mattermost, against the Mattermost emulator:
 * slash commands with their token in, REST posts and response_url out,
 * buttons and a password dialog posted back to /mattermost/actions.
 */
const PASS = 'e2e-mattermost-passphrase-9c4';
const cryptsetup = findCryptsetup();
let repos: TestRepos;
let world: World;
let bot: ReturnType<typeof startDetour>;
let botUrl: string;
let config: string;
let env: Record<string, string>;

beforeAll(async () => {
  repos = await createTestRepos();
  const dir = repos.dir;
  const borg = await repos.borg('b7', PASS, [{ name: 'nightly' }]);
  await writeFile(join(dir, 'pass'), PASS);
  const image = cryptsetup ? await createLuksImage(cryptsetup, dir, PASS) : '/nonexistent';
  world = await startWorld();
  config = join(dir, 'detour.yaml');
  // Port 0 and no publicUrl: the buttons and the dialog must still point back at the bot.
  await writeFile(
    config,
    `locale: en
database: ./detour.db
http: { listen: "127.0.0.1:0" }
chat:
  mattermost: { url: "${world.emulator.url}", botToken: "\${MATTERMOST_BOT_TOKEN}", commandToken: "\${MATTERMOST_COMMAND_TOKEN}", team: detour }
channels: { infra: "#infra" }
access: { allowedDomains: [epicerieledetour.org], admins: [alice@epicerieledetour.org] }
hosts: { local: { local: true } }
backups:
  - { name: b7-borg, type: borg, repo: ${borg}, passphraseFile: ./pass }
unlock:
  dataproxies: { host: local, device: ${image}, mapper: detour-e2e-mm, mount: ${dir}/mnt }
`,
  );
  env = { MATTERMOST_BOT_TOKEN: world.botToken, MATTERMOST_COMMAND_TOKEN: world.commandToken };
  bot = startDetour(['serve', '--config', config], {
    cwd: dir,
    env: { ...repos.env, ...env, DETOUR_LOG_LEVEL: 'debug' },
  });
  const line = await bot.waitForLine((l) => l.includes('detour-bot serving'));
  botUrl = JSON.parse(line).url as string;
});
afterAll(async () => {
  bot?.child.kill('SIGTERM');
  await world?.emulator.close();
  await repos?.cleanup();
});

const command = (user: string, text: string, extra: { token?: string } = {}) =>
  world.emulator.sendSlashCommand({ url: `${botUrl}/mattermost/command`, user, channel: 'infra', text, ...extra });
const privateReply = (userId: string, part: string) =>
  world.emulator.ephemeral.find((e) => e.user_id === userId && e.source === 'response_url' && e.message.includes(part));
const audit = async () =>
  JSON.parse(
    (await execa(process.execPath, [CLI, 'audit', '--json', '--config', config], { cwd: repos.dir, env })).stdout,
  ) as { actor: string; platform: string; text: string; status: string; detail: string }[];
const confirmation = (text: string, after = 0) =>
  waitFor('the confirmation buttons', () =>
    world.emulator.posts.slice(after).find((p) => p.message.includes(`Run "${text}"?`)),
  );
const buttonIds = (post: PostRecord) =>
  ((post.props.attachments as { actions: { id: string }[] }[] | undefined)?.[0]?.actions ?? []).map((a) => a.id);

describe('Mattermost through the emulator (built binary)', () => {
  it('acks at once, then answers backup status privately from the real borg repository', async () => {
    const sent = await command('alice', 'backup status --fresh');
    expect(sent.status).toBe(200);
    expect(sent.response).toEqual({ response_type: 'ephemeral', text: 'On it: `/detour backup status --fresh`' });
    const reply = await waitFor('the backup status', () => privateReply(world.ids.alice, 'b7-borg'), 60_000);
    expect(reply.message).toMatch(/OK +b7-borg +borg/);
    expect(await fetch(`${botUrl}/healthz`).then((r) => r.json())).toMatchObject({ chat: { mattermost: 'up' } });
  });

  it('refuses a user outside the allowed domains, privately, and audits it', async () => {
    await command('bob', 'backup status');
    const reply = await waitFor('the refusal', () => privateReply(world.ids.bob, 'not allowed'));
    expect(reply.message).toContain('bob@example.com is not allowed to use this bot');
    expect((await audit()).find((e) => e.actor === 'bob@example.com')).toMatchObject({
      status: 'denied',
      platform: 'mattermost',
    });
  });

  it('refuses a wrong command token with 401, before any command, and audits it', async () => {
    const sent = await command('alice', 'jobs cancel 42', { token: 'not-the-token' });
    expect(sent.status).toBe(401);
    const refused = (await audit()).filter((e) => e.detail === 'request refused: bad_token');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.platform).toBe('mattermost');
    const metrics = await (await fetch(`${botUrl}/metrics`)).text();
    expect(metrics).toContain('detour_rejected_requests_total{platform="mattermost",reason="bad_token"} 1');
  });

  it('confirms with buttons: posted despite a 429, refused to another user, run on the requester’s click', async () => {
    world.emulator.failNext('POST /api/v4/posts', { status: 429, retryAfterSeconds: 1 });
    const sent = await command('alice', 'jobs cancel 42');
    const post = await confirmation('jobs cancel 42');
    // The response_url lets its holder post as alice: it stays in the bot's memory, out of every SQLite file.
    const hook = new URL(sent.responseUrl).pathname;
    for (const file of await readdir(repos.dir, { withFileTypes: true })) {
      // The database's files; its owner locks are a folder beside them.
      if (file.isFile() && file.name.startsWith('detour.db'))
        expect((await readFile(join(repos.dir, file.name))).includes(hook)).toBe(false);
    }
    expect(post.user_id).toBe(world.ids.bot);
    expect(buttonIds(post)).toEqual(['detourconfirm', 'detourcancel']);
    const attempts = world.emulator.calls.filter(
      (c) => c.path === '/api/v4/posts' && JSON.stringify(c.body).includes('jobs cancel 42'),
    );
    expect(attempts.map((c) => c.status)).toEqual([429, 201]);

    const intruder = await world.emulator.clickButton({ post, actionId: 'detourconfirm', user: 'bob' });
    expect(intruder.response).toEqual({ ephemeral_text: 'Only @alice can confirm or cancel this command.' });
    expect(buttonIds(post)).toHaveLength(2);
    const click = await world.emulator.clickButton({ post, actionId: 'detourconfirm', user: 'alice' });
    expect(click.ok).toBe(true);
    expect(post.message).toBe('@alice confirmed "jobs cancel 42": running it.');
    const reply = await waitFor('the result', () => privateReply(world.ids.alice, 'no running job 42'));
    expect(reply.channel_id).toBe(world.ids.infra);
    const entries = await audit();
    expect(entries.find((e) => e.detail === 'confirmation refused: other_user')).toBeDefined();
    expect(entries.find((e) => e.text === 'jobs cancel 42' && e.status === 'failed')?.actor).toBe(
      'alice@epicerieledetour.org',
    );
    expect(world.emulator.warnings).toEqual([]);
  });

  it.skipIf(!cryptsetup)('unlocks with the password dialog: the passphrase never appears anywhere', async () => {
    const before = world.emulator.posts.length;
    await command('alice', 'unlock dataproxies --check');
    const post = await confirmation('unlock dataproxies --check', before);
    await world.emulator.clickButton({ post, actionId: 'detourconfirm', user: 'alice' });
    const dialog = await waitFor('the dialog', () => world.emulator.dialogsOpened[0]);
    expect(dialog.problems).toEqual([]);
    expect(dialog.url).toBe(`${botUrl}/mattermost/actions`);
    expect(dialog.dialog.elements).toMatchObject([{ type: 'text', subtype: 'password' }]);
    const submitted = await world.emulator.submitDialog({ dialog, submission: { passphrase: PASS } });
    expect(submitted.ok).toBe(true);
    const result = await waitFor(
      'the unlock result in ~infra',
      () => world.emulator.posts.find((p) => p.message.includes('dataproxies on local (local)')),
      60_000,
    );
    expect(result.message).toContain('✓ passphrase: ok');
    expect(result.user_id).toBe(world.ids.bot);
    // The bot never sent it to Mattermost, wrote it to a log line, to SQLite or to the audit.
    for (const seen of [
      world.emulator.calls,
      world.emulator.posts,
      world.emulator.ephemeral,
      world.emulator.warnings,
    ]) {
      expect(JSON.stringify(seen)).not.toContain(PASS);
    }
    expect(bot.lines.some((l) => l.includes(`"msg":"command finished"`))).toBe(true);
    expect(bot.lines.join('\n')).not.toContain(PASS);
    for (const file of await readdir(repos.dir, { withFileTypes: true })) {
      // The database's files; its owner locks are a folder beside them.
      if (file.isFile() && file.name.startsWith('detour.db'))
        expect((await readFile(join(repos.dir, file.name))).includes(PASS)).toBe(false);
    }
    expect(JSON.stringify(await audit())).not.toContain(PASS);
  });

  it('keeps a reply through an outage and delivers it when Mattermost is back', async () => {
    const replies = () => world.emulator.ephemeral.filter((e) => e.message.includes('Commands you can run'));
    const end = world.emulator.outage(120_000);
    try {
      const sent = await command('alice', 'help');
      expect(sent.status).toBe(200);
      // The in-call retries give up and the reply waits in SQLite for the delivery queue.
      await waitFor('the reply to be queued', async () => {
        const metrics = await (await fetch(`${botUrl}/metrics`)).text();
        return metrics.includes('detour_delivery_queue_depth{platform="mattermost"} 1');
      });
      const health = (await fetch(`${botUrl}/healthz`).then((r) => r.json())) as { chat: { mattermost: string } };
      expect(health.chat.mattermost).toBe('down');
      expect(replies()).toEqual([]);
    } finally {
      end();
    }
    const reply = await waitFor('the help reply after the outage', () => replies()[0], 30_000);
    expect(reply).toMatchObject({ user_id: world.ids.alice, source: 'response_url' });
    await waitFor('the queue to be empty', async () => {
      const metrics = await (await fetch(`${botUrl}/metrics`)).text();
      return metrics.includes('detour_delivery_queue_depth{platform="mattermost"} 0');
    });
    expect(await fetch(`${botUrl}/healthz`).then((r) => r.json())).toMatchObject({ chat: { mattermost: 'up' } });
  });
});

describe('Mattermost passphrase dialog nobody sees (built binary, with publicUrl)', () => {
  let linkBot: ReturnType<typeof startDetour>;
  let linkUrl: string;

  beforeAll(async () => {
    // A second bot on the same emulator, with a publicUrl for the one-time page and a short dialogTimeout.
    const port = await freePort();
    linkUrl = `http://127.0.0.1:${port}`;
    const linkConfig = join(repos.dir, 'detour-link.yaml');
    await writeFile(
      linkConfig,
      (await readFile(config, 'utf8'))
        .replace('database: ./detour.db', 'database: ./detour-link.db')
        .replace('http: { listen: "127.0.0.1:0" }', `http: { listen: "127.0.0.1:${port}", publicUrl: "${linkUrl}" }`)
        .replace('team: detour }', 'team: detour, dialogTimeout: 2s }'),
    );
    linkBot = startDetour(['serve', '--config', linkConfig], { cwd: repos.dir, env: { ...repos.env, ...env } });
    await linkBot.waitForLine((l) => l.includes('detour-bot serving'));
  });
  afterAll(() => {
    linkBot?.child.kill('SIGTERM');
    world.emulator.dropDialogsFor('alice', false);
  });

  it.skipIf(!cryptsetup)('says the way out within seconds, and the one-time page still unlocks', async () => {
    const before = world.emulator.posts.length;
    const dialogsBefore = world.emulator.dialogsOpened.length;
    const ephemeralBefore = world.emulator.ephemeral.length;
    await world.emulator.sendSlashCommand({
      url: `${linkUrl}/mattermost/command`,
      user: 'alice',
      channel: 'infra',
      text: 'unlock dataproxies --check',
    });
    const post = await confirmation('unlock dataproxies --check', before);
    // Alice's client is not listening (closed tab, another device): the dialog opens for nobody.
    world.emulator.dropDialogsFor('alice');
    const clicked = Date.now();
    await world.emulator.clickButton({ post, actionId: 'detourconfirm', user: 'alice' });
    const dialog = await waitFor('the dialog', () => world.emulator.dialogsOpened[dialogsBefore]);
    expect(dialog).toMatchObject({ shown: false, dropped: 'client_not_listening' });
    const notice = await waitFor('the way out', () =>
      world.emulator.ephemeral
        .slice(ephemeralBefore)
        .find((e) => e.user_id === world.ids.alice && e.message.includes('got no answer')),
    );
    // The prompt waits 5 min (the default); the user hears of it after the 2 s dialogTimeout.
    expect(Date.now() - clicked).toBeLessThan(15_000);
    expect(notice).toMatchObject({ source: 'response_url', channel_id: world.ids.infra });
    const link = new RegExp(`${linkUrl}/prompt/[A-Za-z0-9_-]+`).exec(notice.message)?.[0] ?? '';
    expect(link).not.toBe('');
    expect((await fetch(link)).status).toBe(200);
    const page = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ secret: PASS }).toString(),
    });
    expect(await page.text()).toContain('✓ passphrase: ok');
    const result = await waitFor(
      'the unlock result in ~infra',
      () => world.emulator.posts.slice(before).find((p) => p.message.includes('dataproxies on local (local)')),
      60_000,
    );
    expect(result.message).toContain('✓ passphrase: ok');
    for (const seen of [world.emulator.calls, world.emulator.posts, world.emulator.ephemeral]) {
      expect(JSON.stringify(seen)).not.toContain(PASS);
    }
    expect(linkBot.lines.join('\n')).not.toContain(PASS);
  });
});
