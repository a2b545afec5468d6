/**
 * Custom slash commands, as the server sends them to the integration and handles the answer.
 *
 * Request (server/channels/app/command.go tryExecuteCustomCommand + DoCommandRequest):
 *  - fields token, team_id, team_domain, channel_id, channel_name, user_id, user_name,
 *    command ("/" + lower-cased trigger), text, trigger_id, response_url, plus user_mentions /
 *    user_mentions_ids and channel_mentions / channel_mentions_ids for @user and ~channel in the
 *    text. No root_id is sent (CommandArgs.RootId stays server-side, for the reply post).
 *  - POST, body url.Values.Encode(): keys sorted, Go QueryEscape (space → "+").
 *  - headers Accept: application/json, Authorization: Token <token> (only when the command has
 *    a token), Content-Type: application/x-www-form-urlencoded.
 *  - the token therefore travels BOTH as form field and header.
 *  - timeout ServiceSettings.OutgoingIntegrationRequestsTimeout (default 30 s).
 * Answer: status must be 200, else api.command.execute_command.failed_resp.app_error. The body is
 * parsed by model.CommandResponseFromHTTPBody: JSON when the media type is application/json,
 * otherwise the whole body is the text. response_type in_channel → a post in the channel by the
 * invoking user with props.from_webhook "true"; ephemeral (or empty) with text or attachments →
 * an ephemeral post for the user. extra_responses are handled the same way.
 * response_url: /hooks/commands/<id>, model.CommandWebhook: 30 min lifetime, 5 uses
 * (app.HandleCommandWebhook TryUse(hook, 5)); unknown/expired → 404, used up → 400.
 */
import { type AppErrorBody, appError, errorReply, type Reply } from './app-error.js';
import { newId } from './ids.js';
import {
  type EmulatorChannel,
  type EmulatorState,
  type EmulatorUser,
  findChannel,
  findUser,
  hasChannelPermission,
  issueTrigger,
  isTeamMember,
} from './model.js';

export interface CommandResponse {
  response_type?: string;
  text?: string;
  channel_id?: string;
  type?: string;
  props?: Record<string, unknown>;
  attachments?: unknown[];
  extra_responses?: CommandResponse[];
  [key: string]: unknown;
}

export interface SlashCommandOptions {
  /** The bot's endpoint, e.g. http://127.0.0.1:8080/mattermost/command. */
  url: string;
  /** User id or username of who types the command. */
  user: string;
  /** Channel id or name where it is typed. */
  channel: string;
  text?: string;
  /** Defaults to /detour. */
  command?: string;
  /** Where the token goes. The real server always sends both; the others test tolerance. */
  tokenIn?: 'form' | 'header' | 'both';
  /** Defaults to the configured commandToken. */
  token?: string;
}

export interface SlashCommandResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The form fields sent, in wire order. */
  fields: [string, string][];
  triggerId: string;
  responseUrl: string;
  /** The parsed answer, when it was usable. */
  response?: CommandResponse;
  /** What the user would see instead, when the command failed. */
  error?: AppErrorBody;
}

const COMMAND_HOOK_LIFETIME_MS = 30 * 60 * 1000;
const COMMAND_HOOK_MAX_USES = 5;

/** Go's url.QueryEscape: unreserved are A-Z a-z 0-9 - _ . ~, space becomes "+". */
export function goQueryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Go's url.Values.Encode: sorted by key, values in insertion order. */
export function goEncodeForm(fields: [string, string][]): string {
  return [...fields]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${goQueryEscape(k)}=${goQueryEscape(v)}`)
    .join('&');
}

function mentionFields(state: EmulatorState, text: string, teamId: string): [string, string][] {
  const out: [string, string][] = [];
  const seen = new Set<string>();
  for (const m of text.matchAll(/\B@([A-Za-z0-9][A-Za-z0-9.\-_:]*)/g)) {
    const name = (m[1] ?? '').toLowerCase().replace(/[.\-_]+$/, '');
    const user = [...state.users.values()].find((u) => u.username === name);
    if (!user || seen.has(name) || !isTeamMember(state, teamId, user.id)) continue;
    seen.add(name);
    out.push(['user_mentions', name], ['user_mentions_ids', user.id]);
  }
  for (const m of text.matchAll(/\B~([A-Za-z0-9\-_]+)/g)) {
    const name = m[1] ?? '';
    const ch = [...state.channels.values()].find((c) => c.name === name && c.team_id === teamId);
    if (!ch || (ch.type ?? 'O') !== 'O' || seen.has(`~${name}`)) continue;
    seen.add(`~${name}`);
    out.push(['channel_mentions', name], ['channel_mentions_ids', ch.id]);
  }
  return out;
}

export function resolveUser(state: EmulatorState, ref: string): EmulatorUser {
  const user = findUser(state, ref);
  if (!user) throw new Error(`emulator: no user ${ref}`);
  return user;
}

export function resolveChannel(state: EmulatorState, ref: string): EmulatorChannel {
  const channel = findChannel(state, ref);
  if (!channel) throw new Error(`emulator: no channel ${ref}`);
  return channel;
}

/** CommandResponseFromHTTPBody: JSON only for the application/json media type. */
export function parseCommandResponse(contentType: string, body: string): CommandResponse | undefined {
  if ((contentType.split(';')[0] ?? '').trim() === 'application/json') {
    try {
      const value: unknown = JSON.parse(body);
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? (value as CommandResponse)
        : undefined;
    } catch {
      return undefined;
    }
  }
  return { text: body };
}

/** HandleCommandResponsePost for one response; returns an error the user would see, if any. */
function handleOne(
  state: EmulatorState,
  res: CommandResponse,
  userId: string,
  channelId: string,
  source: 'command' | 'response_url',
): AppErrorBody | undefined {
  let target = channelId;
  if (typeof res.channel_id === 'string' && res.channel_id !== '') {
    if (!hasChannelPermission(state, userId, res.channel_id)) {
      return appError('api.command.command_post.forbidden.app_error', 403);
    }
    target = res.channel_id;
  }
  const props: Record<string, unknown> = { ...(res.props ?? {}), from_webhook: 'true' };
  let type = typeof res.type === 'string' ? res.type : '';
  if (Array.isArray(res.attachments)) {
    props.attachments = res.attachments;
    type = 'slack_attachment';
  }
  const text = typeof res.text === 'string' ? res.text : '';
  const now = state.now();
  if (res.response_type === 'in_channel') {
    state.posts.push({
      id: newId(),
      create_at: now,
      update_at: now,
      edit_at: 0,
      delete_at: 0,
      is_pinned: false,
      user_id: userId,
      channel_id: target,
      root_id: '',
      original_id: '',
      message: text,
      type,
      props,
      hashtags: '',
      file_ids: [],
      pending_post_id: '',
    });
  } else if ((res.response_type ?? '') === '' || res.response_type === 'ephemeral') {
    if (text !== '' || Array.isArray(res.attachments)) {
      state.ephemeral.push({
        id: newId(),
        user_id: userId,
        channel_id: target,
        root_id: '',
        message: text,
        type,
        props,
        source,
      });
    }
  }
  return undefined;
}

export function handleCommandResponse(
  state: EmulatorState,
  res: CommandResponse,
  userId: string,
  channelId: string,
  source: 'command' | 'response_url',
): AppErrorBody | undefined {
  let error = handleOne(state, res, userId, channelId, source);
  for (const extra of Array.isArray(res.extra_responses) ? res.extra_responses : []) {
    error = handleOne(state, extra, userId, channelId, source) ?? error;
  }
  return error;
}

export async function sendSlashCommand(state: EmulatorState, o: SlashCommandOptions): Promise<SlashCommandResult> {
  const user = resolveUser(state, o.user);
  const channel = resolveChannel(state, o.channel);
  const team = state.teams.get(channel.team_id);
  const trigger = (o.command ?? '/detour').replace(/^\//, '').toLowerCase();
  const token = o.token ?? state.commandToken;
  const tokenIn = o.tokenIn ?? 'both';
  const triggerId = issueTrigger(state, user.id, channel);
  const hookId = newId();
  state.commandHooks.set(hookId, {
    userId: user.id,
    channelId: channel.id,
    teamId: channel.team_id,
    createAt: state.now(),
    useCount: 0,
    trigger,
  });
  const responseUrl = `${state.url}/hooks/commands/${hookId}`;
  const text = o.text ?? '';
  const fields: [string, string][] = [
    ...(tokenIn === 'header' ? [] : ([['token', token]] as [string, string][])),
    ['team_id', channel.team_id],
    ['team_domain', team?.name ?? ''],
    ['channel_id', channel.id],
    ['channel_name', channel.name],
    ['user_id', user.id],
    ['user_name', user.username],
    ['command', `/${trigger}`],
    ['text', text],
    ['trigger_id', triggerId],
    ...mentionFields(state, text, channel.team_id),
    ['response_url', responseUrl],
  ];
  const body = goEncodeForm(fields);
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (tokenIn !== 'form' && token !== '') headers.Authorization = `Token ${token}`;
  headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const wire = body.split('&').map((kv) => kv.split('=').map((x) => decodeURIComponent(x.replace(/\+/g, ' '))));
  const base = { fields: wire as [string, string][], triggerId, responseUrl };
  let response: Response;
  try {
    response = await fetch(o.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(state.outgoingTimeoutMs),
    });
  } catch {
    const error = appError('api.command.execute_command.failed.app_error', 500, { Trigger: trigger });
    return { status: 0, headers: {}, body: '', ...base, error };
  }
  const raw = await response.text();
  const result: SlashCommandResult = {
    status: response.status,
    headers: Object.fromEntries(response.headers.entries()),
    body: raw,
    ...base,
  };
  if (response.status !== 200) {
    result.error = appError('api.command.execute_command.failed_resp.app_error', 500, {
      Trigger: trigger,
      Status: `${response.status} ${response.statusText}`,
    });
    return result;
  }
  const parsed = parseCommandResponse(response.headers.get('content-type') ?? '', raw);
  if (!parsed) {
    result.error = appError('api.command.execute_command.failed.app_error', 500, { Trigger: trigger });
    return result;
  }
  result.response = parsed;
  const error = handleCommandResponse(state, parsed, user.id, channel.id, 'command');
  if (error) result.error = error;
  return result;
}

/** POST /hooks/commands/{id}: web/webhook.go commandWebhook → app.HandleCommandWebhook. */
export function commandWebhook(state: EmulatorState, hookId: string, contentType: string, body: Buffer): Reply {
  const parsed = parseCommandResponse(contentType, body.toString('utf8'));
  if (!parsed) return errorReply('app.command_webhook.handle_command_webhook.parse', 400);
  const hook = state.commandHooks.get(hookId);
  if (!hook || state.now() - hook.createAt >= COMMAND_HOOK_LIFETIME_MS) {
    return errorReply('app.command_webhook.get.missing', 404);
  }
  if (hook.useCount >= COMMAND_HOOK_MAX_USES) return errorReply('app.command_webhook.try_use.invalid', 400);
  hook.useCount += 1;
  const error = handleCommandResponse(state, parsed, hook.userId, hook.channelId, 'response_url');
  if (error) return { status: error.status_code, json: error };
  return { status: 200, text: 'ok', headers: { 'Content-Type': 'text/plain' } };
}
