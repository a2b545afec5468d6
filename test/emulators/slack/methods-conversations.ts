/**
 * conversations.info / list / members / join / open / history / replies.
 * Error names: slack-ruby/slack-api-ref methods/conversations/*.json. Shapes:
 * slackapi/slack-api-specs web-api/slack_web_openapi_v2.json examples (channel objects, the
 * `already_in_channel` warning of join, `next_cursor` pagination) and
 * slackapi/java-slack-sdk json-logs/samples/api/conversations.*.json (field names).
 * The `no_op` / `already_open` fields of conversations.open come from its method page.
 */

import { messageJson } from './methods-chat.js';
import type { EmulatorState } from './state.js';
import type { EmulatorChannel, MessageRecord } from './types.js';
import type { Json, MethodContext, MethodDef, MethodResult } from './web-api.js';
import { fail, ok, str } from './web-api.js';

function channelJson(state: EmulatorState, c: EmulatorChannel, withCount: boolean): Json {
  const created = Math.floor(state.now() / 1000) - 86_400;
  return {
    id: c.id,
    name: c.name,
    is_channel: !c.is_private,
    is_group: false,
    is_im: false,
    is_mpim: false,
    is_private: Boolean(c.is_private),
    created,
    is_archived: Boolean(c.is_archived),
    is_general: false,
    unlinked: 0,
    name_normalized: c.name,
    is_shared: false,
    is_org_shared: false,
    is_ext_shared: false,
    is_pending_ext_shared: false,
    pending_shared: [],
    context_team_id: state.options.teamId,
    updated: created * 1000,
    creator: c.members[0] ?? '',
    is_member: c.members.includes(state.options.botUserId),
    topic: { value: '', creator: '', last_set: 0 },
    purpose: { value: '', creator: '', last_set: 0 },
    previous_names: [],
    ...(withCount ? { num_members: c.members.length } : {}),
  };
}

/** A channel the bot can see: every public one, private ones it is in. */
function visible(state: EmulatorState, id: string | undefined): EmulatorChannel | undefined {
  const c = id ? state.channels.get(id) : undefined;
  if (!c) return undefined;
  return c.is_private && !c.members.includes(state.options.botUserId) ? undefined : c;
}

function page<T>(items: T[], params: Json): { slice: T[]; next: string } | undefined {
  const limit = Number(str(params.limit) ?? 100);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return undefined;
  const cursor = str(params.cursor);
  const start = cursor ? Number(Buffer.from(cursor, 'base64').toString('utf8').replace('next:', '')) : 0;
  if (!Number.isInteger(start) || start < 0) return undefined;
  const slice = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return { slice, next: more ? Buffer.from(`next:${start + limit}`).toString('base64') : '' };
}

function info({ state, params }: MethodContext): MethodResult {
  const c = visible(state, str(params.channel));
  if (!c) {
    const dm = [...state.dms.values()].find((d) => d.id === str(params.channel));
    if (dm)
      return ok({
        channel: { id: dm.id, created: 0, is_im: true, is_org_shared: false, user: dm.user, is_user_deleted: false },
      });
    return fail('channel_not_found');
  }
  return ok({ channel: channelJson(state, c, str(params.include_num_members) === 'true') });
}

function list({ state, params }: MethodContext): MethodResult {
  const types = (str(params.types) ?? 'public_channel').split(',');
  const all = [...state.channels.values()].filter((c) => {
    if (str(params.exclude_archived) === 'true' && c.is_archived) return false;
    if (c.is_private) return types.includes('private_channel') && c.members.includes(state.options.botUserId);
    return types.includes('public_channel');
  });
  const p = page(all, params);
  if (!p) return fail('invalid_limit');
  return ok({ channels: p.slice.map((c) => channelJson(state, c, true)), response_metadata: { next_cursor: p.next } });
}

function members({ state, params }: MethodContext): MethodResult {
  const c = visible(state, str(params.channel));
  if (!c) return fail('channel_not_found');
  const p = page(c.members, params);
  if (!p) return fail('invalid_limit');
  return ok({ members: p.slice, response_metadata: { next_cursor: p.next } });
}

function join({ state, params }: MethodContext): MethodResult {
  const c = visible(state, str(params.channel));
  if (!c) return fail('channel_not_found');
  if (c.is_private) return fail('method_not_supported_for_channel_type');
  if (c.is_archived) return fail('is_archived');
  const already = c.members.includes(state.options.botUserId);
  if (!already) c.members.push(state.options.botUserId);
  const body = { channel: channelJson(state, c, false) };
  return already
    ? ok({ ...body, warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } })
    : ok(body);
}

function open({ state, params }: MethodContext): MethodResult {
  const users = (str(params.users) ?? '').split(',').filter(Boolean);
  if (users.length === 0) return fail('users_list_not_supplied');
  if (users.length > 1) return fail('method_not_supported_for_channel_type');
  const user = users[0] ?? '';
  if (!state.users.has(user)) return fail('user_not_found');
  const existed = state.dms.has(user);
  const dm = state.openDm(user);
  return ok({ ...(existed ? { no_op: true, already_open: true } : {}), channel: { id: dm.id } });
}

function readable(state: EmulatorState, id: string | undefined): boolean {
  return Boolean(visible(state, id)) || [...state.dms.values()].some((d) => d.id === id);
}

function history({ state, params }: MethodContext): MethodResult {
  const channel = str(params.channel);
  if (!readable(state, channel)) return fail('channel_not_found');
  const top = state.messages.filter((m) => m.channel === channel && (!m.thread_ts || m.thread_ts === m.ts));
  const p = page([...top].reverse(), params);
  if (!p) return fail('invalid_limit');
  return ok({
    messages: p.slice.map((m) => withReplies(state, m)),
    has_more: p.next !== '',
    pin_count: 0,
    response_metadata: { next_cursor: p.next },
  });
}

function withReplies(state: EmulatorState, m: MessageRecord): Json {
  const replies = state.messages.filter((r) => r.channel === m.channel && r.thread_ts === m.ts && r.ts !== m.ts);
  const json = messageJson(state, m);
  return replies.length > 0 ? { ...json, thread_ts: m.ts, reply_count: replies.length } : json;
}

function replies({ state, params }: MethodContext): MethodResult {
  const channel = str(params.channel);
  if (!readable(state, channel)) return fail('channel_not_found');
  const ts = str(params.ts);
  const parent = state.messages.find((m) => m.channel === channel && m.ts === ts);
  if (!parent) return fail('thread_not_found');
  const thread = [parent, ...state.messages.filter((m) => m.channel === channel && m.thread_ts === ts && m.ts !== ts)];
  const p = page(thread, params);
  if (!p) return fail('invalid_limit');
  return ok({
    messages: p.slice.map((m) => messageJson(state, m)),
    has_more: p.next !== '',
    response_metadata: { next_cursor: p.next },
  });
}

const readScope = ({ state, params }: MethodContext, kind: 'read' | 'history') => {
  const id = str(params.channel) ?? '';
  if (id.startsWith('D')) return kind === 'read' ? 'im:read' : 'im:history';
  const prefix = state.channels.get(id)?.is_private ? 'groups' : 'channels';
  return `${prefix}:${kind}`;
};

export const conversationMethods: Record<string, MethodDef> = {
  'conversations.info': { scope: (c) => readScope(c, 'read'), token: 'bot', json: false, handler: info },
  'conversations.list': { scope: 'channels:read', token: 'bot', json: false, handler: list },
  'conversations.members': { scope: (c) => readScope(c, 'read'), token: 'bot', json: false, handler: members },
  'conversations.join': { scope: 'channels:join', token: 'bot', json: true, handler: join },
  'conversations.open': { scope: 'im:write', token: 'bot', json: true, handler: open },
  'conversations.history': { scope: (c) => readScope(c, 'history'), token: 'bot', json: false, handler: history },
  'conversations.replies': { scope: (c) => readScope(c, 'history'), token: 'bot', json: false, handler: replies },
};
