/**
 * A ready-made world for tests (one team, a bot, two people, three channels) and a tiny HTTP
 * server that stands in for the bot's endpoints and records what Mattermost sends to it.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newId } from './ids.js';
import { createMattermostEmulator, type MattermostEmulator, type MattermostEmulatorOptions } from './server.js';

export interface World {
  emulator: MattermostEmulator;
  ids: { bot: string; alice: string; bob: string; team: string; infra: string; general: string; secret: string };
  botToken: string;
  commandToken: string;
  /** Moves the emulator's clock. */
  advance(ms: number): void;
}

/**
 * `moreChannels`: names of further public channels of the team, with the bot and alice in them
 * (found by name in `emulator.channels`), for tests that post to several channels.
 */
export async function startWorld(
  overrides: Partial<MattermostEmulatorOptions> = {},
  moreChannels: readonly string[] = [],
): Promise<World> {
  const ids = {
    bot: newId(),
    alice: newId(),
    bob: newId(),
    team: newId(),
    infra: newId(),
    general: newId(),
    secret: newId(),
  };
  let clock = Date.now();
  const botToken = `bot${newId()}`;
  const commandToken = newId();
  const emulator = await createMattermostEmulator({
    botToken,
    commandToken,
    botUserId: ids.bot,
    now: () => clock,
    users: [
      { id: ids.bot, username: 'detour', email: 'detour@localhost', is_bot: true },
      { id: ids.alice, username: 'alice', email: 'alice@epicerieledetour.org' },
      { id: ids.bob, username: 'bob', email: 'bob@example.com' },
    ],
    teams: [{ id: ids.team, name: 'detour' }],
    channels: [
      { id: ids.infra, name: 'infra', team_id: ids.team, members: [ids.bot, ids.alice] },
      { id: ids.general, name: 'general', team_id: ids.team, members: [ids.alice, ids.bob] },
      { id: ids.secret, name: 'secret', team_id: ids.team, type: 'P', members: [ids.alice] },
      ...moreChannels.map((name) => ({ id: newId(), name, team_id: ids.team, members: [ids.bot, ids.alice] })),
    ],
    ...overrides,
  });
  const advance = (ms: number): void => {
    clock += ms;
  };
  return { emulator, ids, botToken, commandToken, advance };
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface BotReply {
  status?: number;
  contentType?: string;
  body?: string;
}

export interface FakeBot {
  url: string;
  received: ReceivedRequest[];
  /** Decides the answer to each request (default: 200, empty body). */
  reply: (req: ReceivedRequest) => BotReply | Promise<BotReply>;
  close(): Promise<void>;
}

export async function startFakeBot(): Promise<FakeBot> {
  const bot: FakeBot = {
    url: '',
    received: [],
    reply: () => ({}),
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      bot.received.push(received);
      const answer = await bot.reply(received);
      const headers: Record<string, string> = {};
      if (answer.contentType) headers['Content-Type'] = answer.contentType;
      res.writeHead(answer.status ?? 200, headers);
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  bot.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  bot.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return bot;
}

export const json = (value: unknown): BotReply => ({ contentType: 'application/json', body: JSON.stringify(value) });
