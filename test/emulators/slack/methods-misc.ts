/**
 * auth.test (Bolt calls it at start), users.info (a user's e-mail), apps.connections.open
 * (Socket Mode).
 * Error names: slack-ruby/slack-api-ref methods/<group>/<method>.json (Slack's method pages).
 * Shapes: slackapi/slack-api-specs examples (auth.test, users.info) and
 * slackapi/java-slack-sdk json-logs/samples/api/*.json (field sets of users.info and
 * apps.connections.open).
 * user.profile.email needs users:read.email (docs.slack.dev/reference/scopes/users.read.email).
 */
import type { EmulatorState } from './state.js';
import { randomHex } from './state.js';
import type { EmulatorUser } from './types.js';
import type { Json, MethodContext, MethodDef, MethodResult } from './web-api.js';
import { fail, ok, str } from './web-api.js';

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
  'apps.connections.open': { token: 'app', json: false, handler: connectionsOpen },
};
