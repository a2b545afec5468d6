/**
 * conversations.list: the one conversations method the bot calls (SlackChannels finds `#infra`
 * by name). Error names: slack-ruby/slack-api-ref methods/conversations/list.json. Shapes:
 * slackapi/slack-api-specs web-api/slack_web_openapi_v2.json examples (channel objects,
 * `next_cursor` pagination) and slackapi/java-slack-sdk json-logs/samples/api/conversations.*.json
 * (field names).
 */
import type { EmulatorState } from './state.js';
import type { EmulatorChannel } from './types.js';
import type { Json, MethodContext, MethodDef, MethodResult } from './web-api.js';
import { fail, ok, str } from './web-api.js';

function channelJson(state: EmulatorState, c: EmulatorChannel): Json {
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
    num_members: c.members.length,
  };
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

function list({ state, params }: MethodContext): MethodResult {
  const types = (str(params.types) ?? 'public_channel').split(',');
  const all = [...state.channels.values()].filter((c) => {
    if (str(params.exclude_archived) === 'true' && c.is_archived) return false;
    if (c.is_private) return types.includes('private_channel') && c.members.includes(state.options.botUserId);
    return types.includes('public_channel');
  });
  const p = page(all, params);
  if (!p) return fail('invalid_limit');
  return ok({ channels: p.slice.map((c) => channelJson(state, c)), response_metadata: { next_cursor: p.next } });
}

export const conversationMethods: Record<string, MethodDef> = {
  'conversations.list': { scope: 'channels:read', token: 'bot', json: false, handler: list },
};
