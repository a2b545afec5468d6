/**
 * A local stand-in for a Mattermost server: the REST routes detour-bot calls, and the requests
 * the server makes to the bot (slash commands, button clicks, dialog submissions).
 *
 * Every API answer carries X-Request-Id, X-Version-Id and `Content-Type: application/json`
 * exactly (web/handlers.go ServeHTTP sets it for API handlers; Client4 parses a body as JSON
 * only for that exact value). GET answers add `Expires: 0`. Request bodies over
 * ServiceSettings.MaximumPayloadSizeBytes (default 300000) → 413; file uploads are bounded by
 * FileSettings.MaxFileSize instead (files.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { errorReply, type Reply, sessionExpired } from './app-error.js';
import { commandWebhook, type SlashCommandOptions, type SlashCommandResult, sendSlashCommand } from './commands.js';
import { DEFAULT_MAX_FILE_SIZE, type FileRecord } from './files.js';
import { isValidId, newRequestId } from './ids.js';
import {
  type ClickOptions,
  clickButton,
  type IntegrationResult,
  type SubmitOptions,
  type SubmitResult,
  submitDialog,
} from './interactions.js';
import type {
  CallRecord,
  DialogRecord,
  EmulatorChannel,
  EmulatorState,
  EmulatorTeam,
  EmulatorUser,
  EphemeralRecord,
  PostRecord,
  Warning,
} from './model.js';
import { findChannel, findUser, issueTrigger } from './model.js';
import { matchRoute } from './rest.js';
import { TriggerSigner } from './trigger.js';
import { describeBody, type Fault, faultReply, parseToken, readBody } from './wire.js';

export type { Fault } from './wire.js';

export interface MattermostEmulatorOptions {
  commandToken: string;
  botToken: string;
  botUserId: string;
  users: EmulatorUser[];
  teams: EmulatorTeam[];
  channels: EmulatorChannel[];
  /** Clock in ms; drives post timestamps and trigger expiry. */
  now?: () => number;
  /** OutgoingIntegrationRequestsTimeout: outgoing request timeout and trigger lifetime (30 s). */
  outgoingTimeoutMs?: number;
  /** Max runes in a message (model.PostMessageMaxRunesV2 = 16383). */
  maxPostSize?: number;
  /** PrivacySettings.ShowEmailAddress (true). */
  showEmailAddress?: boolean;
  /** FileSettings.EnableFileAttachments (true). */
  enableFileAttachments?: boolean;
  /** FileSettings.MaxFileSize in bytes (104857600). */
  maxFileSize?: number;
}

export interface MattermostEmulator {
  /** Base URL for Client4.setUrl and for chat.mattermost.url. */
  url: string;
  close(): Promise<void>;
  /** Created posts in order, patched in place; stored form (integrations kept). */
  posts: PostRecord[];
  /** Uploaded files by id, with their bytes and the post that took them. */
  files: ReadonlyMap<string, FileRecord>;
  /** Channels by id, direct-message channels included once created. */
  channels: ReadonlyMap<string, EmulatorChannel>;
  ephemeral: EphemeralRecord[];
  dialogsOpened: DialogRecord[];
  /** Every HTTP request to the emulator, with the status it got. */
  calls: CallRecord[];
  /** What a real server would only log: invalid attachments/actions, invalid dialogs, … */
  warnings: Warning[];
  sendSlashCommand(o: SlashCommandOptions): Promise<SlashCommandResult>;
  clickButton(o: ClickOptions): Promise<IntegrationResult>;
  submitDialog(o: SubmitOptions): Promise<SubmitResult>;
  /**
   * A fresh trigger_id for `user` in `channel`, as a click or command would give the bot; it
   * becomes the latest trigger of the user's client.
   */
  issueTriggerId(user: string, channel: string): string;
  /**
   * While on, `user`'s client gets no websocket event (tab closed, connection lost, another
   * device): dialogs opened for them are accepted (200) and dropped.
   */
  dropDialogsFor(user: string, drop?: boolean): void;
  /** `route`: "METHOD /path-prefix" or a RegExp tested against "METHOD /path". */
  failNext(route: string | RegExp, fault: Fault): void;
  /** Resets every connection for `ms` ms; returns a function that ends the outage early. */
  outage(ms: number): () => void;
}

const MAX_PAYLOAD = 300_000;
/** Files one upload request may carry, for the body bound (the webapp sends at most 10). */
const MAX_FILES_PER_POST = 10;
const VERSION_ID = '10.11.0.0.emulator.false';

function validateConfig(o: MattermostEmulatorOptions): void {
  const ids = [o.botUserId, ...o.users.map((u) => u.id), ...o.teams.map((t) => t.id), ...o.channels.map((c) => c.id)];
  const bad = ids.filter((id) => !isValidId(id));
  if (bad.length > 0) throw new Error(`emulator: not Mattermost ids (26 chars, use newId()): ${bad.join(', ')}`);
  if (!o.users.some((u) => u.id === o.botUserId)) throw new Error('emulator: botUserId is not among users');
}

export async function createMattermostEmulator(o: MattermostEmulatorOptions): Promise<MattermostEmulator> {
  validateConfig(o);
  const state: EmulatorState = {
    url: '',
    botToken: o.botToken,
    botUserId: o.botUserId,
    commandToken: o.commandToken,
    now: o.now ?? Date.now,
    outgoingTimeoutMs: o.outgoingTimeoutMs ?? 30_000,
    maxPostSize: o.maxPostSize ?? 16_383,
    showEmailAddress: o.showEmailAddress ?? true,
    users: new Map(o.users.map((u) => [u.id, { ...u, is_bot: u.is_bot ?? u.id === o.botUserId }])),
    teams: new Map(o.teams.map((t) => [t.id, t])),
    channels: new Map(o.channels.map((c) => [c.id, c])),
    posts: [],
    files: new Map(),
    enableFileAttachments: o.enableFileAttachments ?? true,
    maxFileSize: o.maxFileSize ?? DEFAULT_MAX_FILE_SIZE,
    ephemeral: [],
    dialogsOpened: [],
    calls: [],
    warnings: [],
    commandHooks: new Map(),
    triggerContext: new Map(),
    latestClientTrigger: new Map(),
    clientNotListening: new Set(),
    signer: new TriggerSigner(),
  };
  const faults: { match: (key: string) => boolean; fault: Fault; left: number }[] = [];
  let outageUntil = 0;
  const sockets = new Set<Socket>();

  async function route(req: IncomingMessage, path: string, query: URLSearchParams, body: Buffer): Promise<Reply> {
    const method = req.method ?? 'GET';
    const hook = /^\/hooks\/commands\/([A-Za-z0-9]+)$/.exec(path);
    if (hook && method === 'POST') return commandWebhook(state, hook[1] ?? '', req.headers['content-type'] ?? '', body);
    const match = matchRoute(method, path);
    if (match.kind === 'not-found') return errorReply('api.context.404.app_error', 404);
    if (match.kind === 'method-not-allowed') return { status: 405, text: '' };
    const { token, inQuery } = parseToken(req, query);
    const userId = token !== '' && token === state.botToken ? state.botUserId : undefined;
    if (match.route.session) {
      if (!userId) return sessionExpired();
      if (inQuery) return errorReply('api.context.token_provided.app_error', 401);
    }
    return match.route.handle(
      state,
      { method, query, contentType: req.headers['content-type'] ?? '', body, userId },
      match.params,
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (Date.now() < outageUntil) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    // File uploads are bounded by MaxFileSize per file, not by MaximumPayloadSizeBytes.
    const upload = method === 'POST' && url.pathname === '/api/v4/files';
    const body = await readBody(req, upload ? MAX_FILES_PER_POST * state.maxFileSize + 1_000_000 : MAX_PAYLOAD);
    const key = `${method} ${url.pathname}`;
    const fault = faults.find((f) => f.left > 0 && f.match(key));
    let reply: Reply;
    if (fault) {
      fault.left -= 1;
      reply = faultReply(fault.fault);
    } else if (body === 'too-large') {
      reply = upload
        ? errorReply('api.file.upload_file.too_large_detailed.app_error', 413)
        : errorReply('api.context.request_body_too_large.app_error', 413);
    } else {
      reply = await route(req, url.pathname, url.searchParams, body);
    }
    state.calls.push({
      method,
      path: url.pathname,
      query: url.search,
      authorization: req.headers.authorization,
      body: describeBody(req.headers['content-type'] ?? '', body),
      status: reply.status,
    });
    const headers: Record<string, string> = { ...reply.headers };
    const requestId = newRequestId();
    if (reply.status !== 429) {
      headers['X-Request-Id'] = requestId;
      headers['X-Version-Id'] = VERSION_ID;
    }
    if (method === 'GET' && reply.json !== undefined) headers.Expires = '0';
    let payload = reply.text ?? '';
    if (reply.json !== undefined) {
      const json = reply.json as { status_code?: unknown; request_id?: unknown };
      if (typeof json.status_code === 'number' && typeof json.request_id !== 'string') json.request_id = requestId;
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(reply.json);
    }
    res.writeHead(reply.status, headers);
    res.end(payload);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`emulator bug: ${String(err)}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (Date.now() < outageUntil) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: state.url,
    posts: state.posts,
    files: state.files,
    channels: state.channels,
    ephemeral: state.ephemeral,
    dialogsOpened: state.dialogsOpened,
    calls: state.calls,
    warnings: state.warnings,
    sendSlashCommand: (opts) => sendSlashCommand(state, opts),
    clickButton: (opts) => clickButton(state, opts),
    submitDialog: (opts) => submitDialog(state, opts),
    issueTriggerId(user, channel) {
      const u = findUser(state, user);
      const c = findChannel(state, channel);
      if (!u || !c) throw new Error(`emulator: no user ${user} or channel ${channel}`);
      return issueTrigger(state, u.id, c);
    },
    dropDialogsFor(user, drop = true) {
      const u = findUser(state, user);
      if (!u) throw new Error(`emulator: no user ${user}`);
      if (drop) state.clientNotListening.add(u.id);
      else state.clientNotListening.delete(u.id);
    },
    failNext(routeSpec, fault) {
      const match =
        typeof routeSpec === 'string'
          ? (key: string) => {
              const [m = '', p = ''] = routeSpec.split(' ');
              const [km = '', kp = ''] = key.split(' ');
              return m === km && kp.startsWith(p);
            }
          : (key: string) => routeSpec.test(key);
      faults.push({ match, fault, left: fault.times ?? 1 });
    },
    outage(ms) {
      outageUntil = Date.now() + ms;
      for (const s of sockets) s.destroy();
      return () => {
        outageUntil = 0;
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
