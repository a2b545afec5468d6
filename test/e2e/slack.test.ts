import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../emulators/mattermost/fixture.js';
import { createSlackEmulator, type SlackEmulator } from '../emulators/slack/index.js';
import { ALICE, BOB, BOT_TOKEN, INFRA, SIGNING_SECRET, workspace } from '../emulators/slack-fixtures.js';
import { CLI, startDetour } from '../support/detour.js';
import { createLuksImage, findCryptsetup } from '../support/luks.js';
import { createTestRepos, type TestRepos } from '../support/repos.js';
import { freePort, waitFor } from '../support/wait.js';

/*
 * The real `detour serve` with Slack in HTTP mode and Mattermost enabled
 * together, against both emulators: signed slash commands in, Web API and
 * response_url out.
 */
const PASS = 'e2e-slack-passphrase';
const CAROL = 'U0CAROL003';
const cryptsetup = findCryptsetup();
let repos: TestRepos;
let slack: SlackEmulator;
let mattermost: World;
let bot: ReturnType<typeof startDetour>;
let botUrl: string;
let config: string;

beforeAll(async () => {
  repos = await createTestRepos();
  const dir = repos.dir;
  const borg = await repos.borg('b7', PASS, [{ name: 'nightly' }]);
  await writeFile(join(dir, 'pass'), PASS);
  const image = cryptsetup ? await createLuksImage(cryptsetup, dir, PASS) : '/nonexistent';
  await writeFile(
    join(dir, 'inventory.ini'),
    '[local]\nlocalhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n',
  );
  const base = workspace();
  slack = await createSlackEmulator({
    ...base,
    users: [...base.users, { id: CAROL, name: 'carol', email: 'carol@epicerieledetour.org' }],
    channels: base.channels.map((c) => (c.id === INFRA ? { ...c, members: [...c.members, CAROL] } : c)),
  });
  mattermost = await startWorld();
  const port = await freePort();
  botUrl = `http://127.0.0.1:${port}`;
  config = join(dir, 'detour.yaml');
  await writeFile(
    config,
    `locale: en
database: ./detour.db
http: { listen: "127.0.0.1:${port}", publicUrl: "${botUrl}" }
chat:
  slack: { mode: http, botToken: "\${SLACK_BOT_TOKEN}", signingSecret: "\${SLACK_SIGNING_SECRET}", apiUrl: "${slack.apiUrl}" }
  mattermost: { url: "${mattermost.emulator.url}", botToken: "${mattermost.botToken}", commandToken: "${mattermost.commandToken}", team: detour }
  promptTimeout: 4s
channels: { infra: "#infra" }
access: { allowedDomains: [epicerieledetour.org], admins: [alice@epicerieledetour.org] }
hosts: { local: { local: true } }
backups:
  - { name: b7-borg, type: borg, repo: ${borg}, passphraseFile: ./pass }
unlock:
  testvol: { host: local, device: ${image}, mapper: detour-e2e-slack, mount: ${dir}/mnt }
ansible:
  inventory: ./inventory.ini
  playbookDir: ${resolve(import.meta.dirname, '../fixtures/ansible')}
  playbooks: { ok: { file: ok.yml, tags: [greet] } }
`,
  );
  bot = startDetour(['serve', '--config', config], {
    cwd: dir,
    env: {
      ...repos.env,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      ANSIBLE_HOME: join(dir, 'ansible-home'),
    },
  });
  await bot.waitForLine((l) => l.includes('detour-bot serving'));
});
afterAll(async () => {
  bot?.child.kill('SIGTERM');
  await slack?.close();
  await mattermost?.emulator.close();
  await repos?.cleanup();
});

const command = (user: string, text: string, extra: { forgeSignature?: boolean; timestampOffsetSec?: number } = {}) =>
  slack.sendSlashCommand({ user, channel: INFRA, text, command: '/detour', url: `${botUrl}/slack/events`, ...extra });
const postedText = (body: unknown) => JSON.stringify(body);
const responseTo = (url: string) => slack.responseUrlPosts.filter((p) => url.includes(`/${p.id}/`));

describe('Slack (HTTP mode) and Mattermost in one bot', () => {
  it('serves both at once: each platform gets its own answer, healthz shows both', async () => {
    const fromSlack = await command(ALICE, 'help');
    const fromMattermost = await mattermost.emulator.sendSlashCommand({
      url: `${botUrl}/mattermost/command`,
      user: 'alice',
      channel: 'infra',
      text: 'help',
    });
    expect(fromSlack.status).toBe(200);
    expect(fromMattermost.status).toBe(200);
    await waitFor('the Slack answer', () =>
      responseTo(fromSlack.response_url).find((p) => postedText(p.body).includes('Commands you can run')),
    );
    await waitFor('the Mattermost answer', () =>
      mattermost.emulator.ephemeral.find(
        (e) => e.user_id === mattermost.ids.alice && e.message.includes('Commands you can run'),
      ),
    );
    expect(await fetch(`${botUrl}/healthz`).then((r) => r.json())).toMatchObject({
      chat: { slack: 'up', mattermost: 'up' },
    });
  });
});

describe('Slack (HTTP mode) through the emulator', () => {
  it('acks at once and answers backup status privately, in Block Kit', async () => {
    const sent = await command(ALICE, 'backup status --fresh');
    expect(sent.status).toBe(200);
    expect(sent.ackMs).toBeLessThan(3000);
    const reply = await waitFor('the backup status reply', () =>
      responseTo(sent.response_url).find((p) => postedText(p.body).includes('b7-borg')),
    );
    expect(reply.status).toBe(200);
    const body = reply.body as { response_type: string; blocks: { type: string }[]; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.blocks[0]?.type).toBe('header');
    expect(body.text).toMatch(/OK +b7-borg +borg/);
  });

  it('refuses a user outside the allowed domains', async () => {
    const sent = await command(BOB, 'backup status');
    const reply = await waitFor('the refusal', () => responseTo(sent.response_url)[0]);
    expect(postedText(reply.body)).toContain('bob@example.com is not allowed to use this bot');
  });

  it('refuses forged and replayed requests with 401, and audits them', async () => {
    expect((await command(ALICE, 'backup status', { forgeSignature: true })).status).toBe(401);
    expect((await command(ALICE, 'backup status', { timestampOffsetSec: -360 })).status).toBe(401);
    const audit = await execa(process.execPath, [CLI, 'audit', '--json', '--config', config], {
      cwd: repos.dir,
      env: { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET },
    });
    const refused = (JSON.parse(audit.stdout) as { status: string; detail: string }[]).filter(
      (e) => e.detail === 'request refused: bad_signature_or_stale',
    );
    expect(refused.length).toBe(2);
    const metrics = await (await fetch(`${botUrl}/metrics`)).text();
    expect(metrics).toContain('detour_rejected_requests_total{platform="slack",reason="bad_signature_or_stale"} 2');
  });

  it('delivers a channel result despite a 429: retried after Retry-After, in order', async () => {
    // Twice: the first progress post, then the result itself, which the delivery queue retries.
    slack.failNext('chat.postMessage', { retryAfter: 1, times: 2 });
    await command(CAROL, 'ansible run ok --tags greet --check');
    const message = await waitFor(
      'the recap in #infra',
      () => slack.messages.find((m) => m.channel === INFRA && m.text.includes('ok (check mode): ok')),
      60_000,
    );
    expect(message.text).toMatch(/localhost +ok=1/);
    const attempts = slack.calls.filter(
      (c) => c.method === 'chat.postMessage' && String(c.params.text ?? '').includes('check mode'),
    );
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
    expect(attempts[1]?.time - (attempts[0]?.time ?? 0)).toBeGreaterThanOrEqual(1_000);
  });

  it('keeps a reply through an outage and delivers it when Slack is back', async () => {
    const sent = await command(ALICE, 'help');
    expect(sent.status).toBe(200);
    slack.outage(2_500, '503');
    const dm = await waitFor(
      'the help reply after the outage',
      () => slack.messages.find((m) => m.text.includes('Commands you can run') && m.channel.startsWith('D')),
      30_000,
    );
    expect(dm.text).toContain('backup status');
  });

  it.skipIf(!cryptsetup)(
    'asks for confirmation, refuses another user, takes the passphrase on the one-time page',
    async () => {
      const sent = await command(ALICE, 'unlock testvol --check');
      const ask = await waitFor('the confirmation', () =>
        slack.messages.find((m) => m.text.includes('Run "unlock testvol --check"?')),
      );
      expect(JSON.stringify(ask.blocks)).toContain('detour_confirm');
      const intruder = await slack.clickButton({
        user: CAROL,
        channel: INFRA,
        ts: ask.ts,
        actionId: 'detour_confirm',
        url: `${botUrl}/slack/events`,
      });
      expect(intruder.status).toBe(200);
      await waitFor('the refusal of carol', () =>
        responseTo(intruder.response_url).find((p) => postedText(p.body).includes('Only <@U0ALICE001> can confirm')),
      );
      const click = await slack.clickButton({
        user: ALICE,
        channel: INFRA,
        ts: ask.ts,
        actionId: 'detour_confirm',
        url: `${botUrl}/slack/events`,
      });
      const linkPost = await waitFor('the passphrase link', () =>
        responseTo(click.response_url).find((p) => postedText(p.body).includes('/prompt/')),
      );
      const link = /(http:\/\/127\.0\.0\.1:\d+\/prompt\/[A-Za-z0-9_-]+)/.exec(postedText(linkPost.body))?.[1] as string;
      expect(postedText(linkPost.body)).not.toContain(PASS);
      expect(sent.status).toBe(200);

      const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      });
      try {
        const page = await browser.newPage();
        await page.goto(link);
        await page.fill('input[type=password]', PASS);
        await page.click('button[type=submit]');
        await page.waitForSelector('#result');
        expect(await page.textContent('#result')).toContain('✓ passphrase: ok');
        // Used once: a second visit is refused.
        const again = await page.goto(link);
        expect(again?.status()).toBe(410);
        expect(await page.textContent('#status')).toContain('already used');
        // Expired: a link nobody used within promptTimeout (4 s).
        await command(ALICE, 'unlock testvol --check');
        const ask2 = await waitFor('the second confirmation', () =>
          slack.messages.find((m) => m.text.includes('Run "unlock testvol --check"?') && m.ts !== ask.ts),
        );
        const click2 = await slack.clickButton({
          user: ALICE,
          channel: INFRA,
          ts: ask2.ts,
          actionId: 'detour_confirm',
          url: `${botUrl}/slack/events`,
        });
        const link2Post = await waitFor('the second link', () =>
          responseTo(click2.response_url).find((p) => postedText(p.body).includes('/prompt/')),
        );
        const link2 = /(http:\/\/127\.0\.0\.1:\d+\/prompt\/[A-Za-z0-9_-]+)/.exec(
          postedText(link2Post.body),
        )?.[1] as string;
        await new Promise((r) => setTimeout(r, 4_500));
        const expired = await page.goto(link2);
        expect(expired?.status()).toBe(410);
        expect(await page.textContent('#status')).toContain('expired');
      } finally {
        await browser.close();
      }
      const result = await waitFor('the unlock result in #infra', () =>
        slack.messages.find((m) => m.text.includes('testvol on local (local)')),
      );
      expect(result.text).not.toContain(PASS);
    },
    90_000,
  );
});

describe('Slack confirmations across a restart', () => {
  /** Stops the bot (it must exit 0 on SIGTERM) and starts a new process on the same database. */
  async function restartBot(): Promise<void> {
    bot.child.kill('SIGTERM');
    expect(await new Promise((r) => bot.child.once('exit', r))).toBe(0);
    bot = startDetour(['serve', '--config', config], {
      cwd: repos.dir,
      env: { ...repos.env, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET },
    });
    await bot.waitForLine((l) => l.includes('detour-bot serving'));
  }

  it('survive the restart and run once, even when clicked twice at once', async () => {
    await command(ALICE, 'jobs cancel 7');
    const ask = await waitFor('the confirmation', () =>
      slack.messages.find((m) => m.text.includes('Run "jobs cancel 7"?')),
    );
    await restartBot();
    // The new process finds the confirmation in SQLite; of two simultaneous clicks, one wins.
    const click = () =>
      slack.clickButton({
        user: ALICE,
        channel: INFRA,
        ts: ask.ts,
        actionId: 'detour_confirm',
        url: `${botUrl}/slack/events`,
      });
    const clicks = await Promise.all([click(), click()]);
    expect(clicks.map((c) => c.status)).toEqual([200, 200]);
    const answers = () => clicks.flatMap((c) => responseTo(c.response_url)).map((p) => postedText(p.body));
    await waitFor(
      'the result and the refusal',
      () =>
        answers().some((a) => a.includes('no running job 7')) &&
        answers().some((a) => a.includes('already confirmed or cancelled')),
    );
    expect(answers().filter((a) => a.includes('no running job 7'))).toHaveLength(1);
    // The private answers said replace_original: false, so the channel still shows who confirmed.
    expect(slack.messages.find((m) => m.ts === ask.ts)?.text).toBe(
      `<@${ALICE}> confirmed "jobs cancel 7": running it.`,
    );
  });

  it('says privately, not over the confirmed message, when the clicker’s e-mail cannot be read', async () => {
    await command(ALICE, 'jobs cancel 8');
    const ask = await waitFor('the confirmation', () =>
      slack.messages.find((m) => m.text.includes('Run "jobs cancel 8"?')),
    );
    // A new process has no e-mail cached: the confirmed command looks alice up again, and Slack refuses.
    await restartBot();
    slack.failNext('users.info', { error: 'user_not_found' });
    const click = await slack.clickButton({
      user: ALICE,
      channel: INFRA,
      ts: ask.ts,
      actionId: 'detour_confirm',
      url: `${botUrl}/slack/events`,
    });
    await waitFor('the e-mail refusal', () =>
      responseTo(click.response_url).find((p) => postedText(p.body).includes('Could not find your e-mail')),
    );
    expect(slack.messages.find((m) => m.ts === ask.ts)?.text).toBe(
      `<@${ALICE}> confirmed "jobs cancel 8": running it.`,
    );
  });
});
