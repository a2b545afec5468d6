/**
 * auth.test, users.info, views.open, files.getUploadURLExternal, files.completeUploadExternal,
 * apps.connections.open.
 * Error names: slack-ruby/slack-api-ref methods/<group>/<method>.json (Slack's method pages), e.g.
 * views.open: invalid_trigger_id, exchanged_trigger_id ("already exchanged in a previous call"),
 * expired_trigger_id, view_too_large (> 250 kb); files.completeUploadExternal: file_not_found
 * ("Could not find the file from the upload ticket"). Shapes: slackapi/slack-api-specs examples
 * (auth.test, users.info, views.open, its `invalid_arguments` / "invalid `trigger_id`" refusal)
 * and slackapi/java-slack-sdk json-logs/samples/api/*.json (field sets of users.info,
 * files.completeUploadExternal, apps.connections.open, files.getUploadURLExternal).
 * user.profile.email needs users:read.email (docs.slack.dev/reference/scopes/users.read.email).
 */
import { validateModal } from './block-kit.js';
import { writableConversation } from './methods-chat.js';
import type { EmulatorState } from './state.js';
import { randomHex, randomId, TRIGGER_LIFETIME_MS } from './state.js';
import type { EmulatorUser } from './types.js';
import type { Json, MethodContext, MethodDef, MethodResult } from './web-api.js';
import { fail, jsonArg, ok, str } from './web-api.js';

function authTest({ state }: MethodContext): MethodResult {
  const bot = state.users.get(state.options.botUserId);
  return ok({
    url: `https://${state.teamDomain}.slack.com/`,
    team: state.teamName,
    user: bot?.name ?? 'detour',
    team_id: state.options.teamId,
    user_id: state.options.botUserId,
    bot_id: state.botId,
    is_enterprise_install: false,
  });
}

function userJson(state: EmulatorState, u: EmulatorUser): Json {
  const realName = u.real_name ?? u.name;
  const [first = '', ...last] = realName.split(' ');
  const image = `https://avatars.example.invalid/${u.id}.png`;
  const profile: Json = {
    title: '',
    phone: '',
    skype: '',
    real_name: realName,
    real_name_normalized: realName,
    display_name: u.is_bot ? '' : u.name,
    display_name_normalized: u.is_bot ? '' : u.name,
    status_text: '',
    status_emoji: '',
    status_expiration: 0,
    avatar_hash: 'g000000000ab',
    first_name: first,
    last_name: last.join(' '),
    image_24: image,
    image_48: image,
    image_72: image,
    image_192: image,
    image_512: image,
    team: state.options.teamId,
  };
  if (u.is_bot) Object.assign(profile, { bot_id: state.botId, api_app_id: state.appId, always_active: true });
  else if (u.email && state.scopes.includes('users:read.email')) profile.email = u.email;
  return {
    id: u.id,
    team_id: state.options.teamId,
    name: u.name,
    deleted: Boolean(u.deleted),
    color: '9f69e7',
    real_name: realName,
    tz: u.tz ?? 'Europe/Paris',
    tz_label: 'Central European Time',
    tz_offset: 3600,
    profile,
    is_admin: false,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: Boolean(u.is_bot),
    is_app_user: false,
    updated: Math.floor(state.now() / 1000) - 3600,
    is_email_confirmed: !u.is_bot,
    who_can_share_contact_card: 'EVERYONE',
  };
}

function usersInfo({ state, params }: MethodContext): MethodResult {
  const user = state.users.get(str(params.user) ?? '');
  return user ? ok({ user: userJson(state, user) }) : fail('user_not_found');
}

function viewsOpen({ state, params }: MethodContext): MethodResult {
  const triggerId = str(params.trigger_id);
  if (!triggerId) return fail('invalid_arguments', { response_metadata: { messages: ['invalid `trigger_id`'] } });
  const trigger = state.triggers.get(triggerId);
  if (!trigger) return fail('invalid_trigger_id');
  if (trigger.used) return fail('exchanged_trigger_id');
  if (state.now() - trigger.issuedAt > TRIGGER_LIFETIME_MS) return fail('expired_trigger_id');
  const rawView = typeof params.view === 'string' ? params.view : JSON.stringify(params.view ?? null);
  if (Buffer.byteLength(rawView) > 250 * 1024) return fail('view_too_large');
  const parsed = jsonArg(params.view);
  const errors = parsed.malformed
    ? ['failed to match all allowed schemas [json-pointer:/view]']
    : validateModal(parsed.value);
  if (errors.length > 0)
    return fail('invalid_arguments', { response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } });
  trigger.used = true;
  const input = parsed.value as Json;
  const id = randomId('V');
  const view: Json = {
    id,
    team_id: state.options.teamId,
    type: 'modal',
    title: input.title,
    ...(input.submit ? { submit: input.submit } : {}),
    ...(input.close ? { close: input.close } : {}),
    blocks: input.blocks,
    private_metadata: input.private_metadata ?? '',
    callback_id: input.callback_id ?? '',
    external_id: input.external_id ?? '',
    state: { values: {} },
    hash: `${Math.floor(state.now() / 1000)}.${randomHex(4)}`,
    clear_on_close: Boolean(input.clear_on_close),
    notify_on_close: Boolean(input.notify_on_close),
    root_view_id: id,
    previous_view_id: null,
    app_id: state.appId,
    app_installed_team_id: state.options.teamId,
    bot_id: state.botId,
  };
  state.views.push({ id, user: trigger.user, trigger_id: triggerId, view });
  return ok({ view });
}

function getUploadUrl({ state, params, baseUrl }: MethodContext): MethodResult {
  const filename = str(params.filename);
  const length = str(params.length);
  if (!filename || length === undefined)
    return fail('invalid_arguments', {
      response_metadata: { messages: [`[ERROR] missing required field: ${filename ? 'length' : 'filename'}`] },
    });
  if (!/^\d+$/.test(length) || Number(length) === 0) return fail('missing_argument');
  const id = randomId('F');
  const ticket = randomHex(16);
  state.uploadTickets.set(ticket, id);
  state.files.push({ id, filename, length: Number(length), uploaded: false, completed: false, channels: [] });
  return ok({ upload_url: `${baseUrl}upload/v1/${ticket}`, file_id: id });
}

function completeUpload({ state, params }: MethodContext): MethodResult {
  const parsed = jsonArg(params.files);
  const list = parsed.value;
  if (parsed.malformed || !Array.isArray(list) || list.length === 0)
    return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: files'] } });
  const records = [];
  for (const entry of list) {
    const id = typeof entry === 'object' && entry !== null ? str((entry as Json).id) : undefined;
    const file = state.files.find((f) => f.id === id);
    if (!file?.uploaded || file.completed) return fail('file_not_found');
    records.push({ file, title: str((entry as Json).title) });
  }
  const targets = [str(params.channel_id), ...(str(params.channels)?.split(',') ?? [])].filter((c): c is string =>
    Boolean(c),
  );
  const channels: string[] = [];
  for (const ref of targets) {
    const target = writableConversation(state, ref, false);
    if ('refusal' in target) return target.refusal;
    channels.push(target.id);
  }
  const comment = str(params.initial_comment);
  for (const { file, title } of records) {
    file.completed = true;
    file.title = title ?? file.filename;
    file.channels = channels;
    file.initial_comment = comment;
  }
  const shared = records.map(({ file }) => ({ id: file.id, name: file.filename, title: file.title ?? file.filename }));
  for (const channel of channels)
    state.messages.push({
      channel,
      ts: state.nextTs(),
      text: comment ?? '',
      user: state.options.botUserId,
      bot_id: state.botId,
      app_id: state.appId,
      files: shared,
      via: 'api',
      ...(str(params.thread_ts) ? { thread_ts: str(params.thread_ts) } : {}),
    });
  const created = Math.floor(state.now() / 1000);
  return ok({
    files: records.map(({ file }) => ({
      id: file.id,
      created,
      timestamp: created,
      name: file.filename,
      title: file.title,
      mimetype: '',
      filetype: '',
      pretty_type: '',
      user: state.options.botUserId,
      user_team: state.options.teamId,
      editable: false,
      size: file.bytes?.length ?? file.length,
      mode: 'hosted',
      is_external: false,
      external_type: '',
      is_public: channels.some((c) => !state.channels.get(c)?.is_private),
      public_url_shared: false,
      display_as_bot: false,
      username: '',
      url_private: `https://files.slack.com/files-pri/${state.options.teamId}-${file.id}/${file.filename}`,
      permalink: `https://${state.teamDomain}.slack.com/files/${state.options.botUserId}/${file.id}/${file.filename}`,
      comments_count: 0,
      is_starred: false,
      shares: {},
      channels: [],
      groups: [],
      ims: [],
      has_rich_preview: false,
      file_access: 'visible',
    })),
  });
}

function connectionsOpen({ state, baseUrl }: MethodContext): MethodResult {
  // The docs' example: "wss://wss-somethiing.slack.com/link/?ticket=12348&app_id=5678".
  const ticket = randomHex(16);
  state.socketTickets.add(ticket);
  const ws = baseUrl.replace(/^http/, 'ws');
  return ok({ url: `${ws}link/?ticket=${ticket}&app_id=${state.appId}` });
}

export const miscMethods: Record<string, MethodDef> = {
  'auth.test': { token: 'bot', json: false, handler: authTest },
  'users.info': { scope: 'users:read', token: 'bot', json: false, handler: usersInfo },
  'views.open': { token: 'bot', json: true, handler: viewsOpen },
  'files.getUploadURLExternal': { scope: 'files:write', token: 'bot', json: false, handler: getUploadUrl },
  'files.completeUploadExternal': { scope: 'files:write', token: 'bot', json: true, handler: completeUpload },
  'apps.connections.open': { token: 'app', json: false, handler: connectionsOpen },
};
