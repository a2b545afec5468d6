/**
 * The REST routes the bot calls (src/chat/mattermost/mattermost-api.ts) and no others, with
 * gorilla/mux-like patterns from server/channels/api4/ (api.go BaseRoutes, post.go InitPost,
 * user.go, channel.go, integration_action.go InitAction). Session rules: APISessionRequired
 * routes answer 401 without a valid token; /actions/dialogs/open is APIHandler (no session: the
 * signed trigger_id is the credential).
 */
import { errorReply, invalidBodyParam, invalidUrlParam, permissionError, type Reply } from './app-error.js';
import { uploadFiles } from './files.js';
import { isValidId, newId } from './ids.js';
import {
  canReadChannel,
  channelJson,
  type EmulatorChannel,
  type EmulatorState,
  isSystemAdmin,
  isTeamMember,
  userJson,
} from './model.js';
import { createPost, patchPost } from './posts.js';
import { dialogProblems } from './validate.js';

export interface ApiRequest {
  method: string;
  query: URLSearchParams;
  contentType: string;
  body: Buffer;
  /** The session's user, when a valid token came with the request. */
  userId: string | undefined;
}

interface Route {
  method: string;
  pattern: RegExp;
  session: boolean;
  handle(state: EmulatorState, req: ApiRequest, params: string[]): Reply | Promise<Reply>;
}

const ID = '([A-Za-z0-9]+)';

// Handlers read req.userId only on session routes, where the server has already required it.
const uid = (req: ApiRequest): string => req.userId ?? '';

const routes: Route[] = [
  { method: 'POST', pattern: /^\/api\/v4\/posts$/, session: true, handle: (s, r) => createPost(s, uid(r), r.body) },
  {
    method: 'POST',
    pattern: /^\/api\/v4\/files$/,
    session: true,
    handle: (s, r) => uploadFiles(s, uid(r), r.contentType, r.body),
  },
  {
    method: 'PUT',
    pattern: new RegExp(`^/api/v4/posts/${ID}/patch$`),
    session: true,
    handle: (s, r, [id]) => patchPost(s, uid(r), id ?? '', r.body),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/v4/users/${ID}$`),
    session: true,
    handle: (s, r, [id]) => getUser(s, uid(r), id === 'me' ? uid(r) : (id ?? '')),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v4\/teams\/name\/([A-Za-z0-9-]+)\/channels\/name\/([A-Za-z0-9_-]+)$/,
    session: true,
    handle: (s, r, [team, channel]) => channelByName(s, uid(r), team ?? '', channel ?? ''),
  },
  {
    method: 'POST',
    pattern: /^\/api\/v4\/channels\/direct$/,
    session: true,
    handle: (s, r) => createDirectChannel(s, uid(r), r.body),
  },
  {
    method: 'POST',
    pattern: /^\/api\/v4\/actions\/dialogs\/open$/,
    session: false,
    handle: (s, r) => openDialog(s, r),
  },
];

export type RouteMatch =
  | { kind: 'route'; route: Route; params: string[] }
  | { kind: 'method-not-allowed' }
  | { kind: 'not-found' };

export function matchRoute(method: string, path: string): RouteMatch {
  let pathMatched = false;
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    if (route.method === method) return { kind: 'route', route, params: m.slice(1) };
    pathMatched = true;
  }
  return pathMatched ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
}

/** api4/user.go getUser: 400 for a malformed id, 404 app.user.missing_account.const. */
function getUser(state: EmulatorState, sessionUserId: string, userId: string): Reply {
  if (!isValidId(userId)) return invalidUrlParam('user_id');
  const user = state.users.get(userId);
  if (!user) return errorReply('app.user.missing_account.const', 404);
  const showEmail = state.showEmailAddress || userId === sessionUserId || isSystemAdmin(state.users.get(sessionUserId));
  return { status: 200, json: userJson(user, showEmail) };
}

/**
 * api4/channel.go getChannelByNameForTeamName: unknown team → 404
 * app.team.get_by_name.missing.app_error, unknown channel → 404; a public channel is readable by
 * team members (read_public_channel) else 403; a private one the caller is not in → 404
 * app.channel.get_by_name.missing.app_error (its existence is hidden).
 */
function channelByName(state: EmulatorState, userId: string, teamName: string, channelName: string): Reply {
  const t = [...state.teams.values()].find((x) => x.name === teamName);
  if (!t) return errorReply('app.team.get_by_name.missing.app_error', 404);
  const channel: EmulatorChannel | undefined = [...state.channels.values()].find(
    (c) => c.team_id === t.id && c.name === channelName,
  );
  if (!channel) return errorReply('app.channel.get_by_name.missing.app_error', 404);
  const readable = canReadChannel(state, userId, channel.id);
  if ((channel.type ?? 'O') === 'O') {
    if (!readable && !isTeamMember(state, t.id, userId)) return permissionError();
  } else if (!readable) {
    return errorReply('app.channel.get_by_name.missing.app_error', 404);
  }
  return { status: 200, json: channelJson(channel) };
}

/**
 * api4/channel.go createDirectChannel + app GetOrCreateDirectChannel: the body is a JSON array of
 * exactly two valid user ids (else 400 invalid_body_param user_ids / user_id); a caller who is not
 * one of them needs manage_system (403); an unknown user is 400
 * api.channel.create_direct_channel.invalid_user.app_error. The channel is named by the two ids
 * sorted and joined with "__", has no team, and is returned (201) whether new or existing.
 * Every user here can see every other (no restricted directory), so UserCanSeeOtherUser passes.
 */
function createDirectChannel(state: EmulatorState, sessionUserId: string, body: Buffer): Reply {
  let ids: unknown;
  try {
    ids = JSON.parse(body.toString('utf8') || 'null');
  } catch {
    ids = [];
  }
  // model.ArrayFromJSON: anything but an array of strings reads as empty.
  const userIds = Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? (ids as string[]) : [];
  if (userIds.length !== 2) return invalidBodyParam('user_ids');
  if (!userIds.every(isValidId)) return invalidBodyParam('user_id');
  if (!userIds.includes(sessionUserId) && !isSystemAdmin(state.users.get(sessionUserId))) return permissionError();
  if (!userIds.every((id) => state.users.has(id))) {
    return errorReply('api.channel.create_direct_channel.invalid_user.app_error', 400);
  }
  const name = [...userIds].sort().join('__');
  let channel = [...state.channels.values()].find((c) => c.type === 'D' && c.name === name);
  if (!channel) {
    channel = { id: newId(), name, team_id: '', type: 'D', display_name: '', members: [...new Set(userIds)] };
    state.channels.set(channel.id, channel);
  }
  return { status: 201, json: channelJson(channel) };
}

/**
 * api4/integration_action.go openDialog + app OpenInteractiveDialog: body decode error or empty
 * url → 400 invalid_body_param; trigger checked (trigger.ts) → 400 on failure; the dialog's own
 * validity is only logged; 200 {"status":"OK"} (ReturnStatusOK).
 *
 * A 200 does not mean anyone sees it. The server sets the dialog's trigger_id to the client
 * trigger id and publishes a websocket event to the user's connected clients
 * (WebsocketEventOpenDialog); the webapp (actions/websocket_actions.jsx handleOpenDialogEvent)
 * opens the modal only when `dialog.trigger_id` equals the client's dialogTriggerId, the trigger
 * it got back from its own latest command or click. So a user who did something else since, or
 * in another tab or device, or whose client is not connected, never sees the dialog, and the
 * integration hears nothing.
 */
function openDialog(state: EmulatorState, req: ApiRequest): Reply {
  let input: unknown;
  try {
    input = JSON.parse(req.body.toString('utf8') || 'null');
  } catch {
    return invalidBodyParam('dialog');
  }
  const request = (input ?? {}) as Record<string, unknown>;
  if (typeof request !== 'object' || Array.isArray(request)) return invalidBodyParam('dialog');
  const url = typeof request.url === 'string' ? request.url : '';
  const triggerId = typeof request.trigger_id === 'string' ? request.trigger_id : '';
  if (url === '') return invalidBodyParam('url');
  const checked = state.signer.check(triggerId, state.outgoingTimeoutMs, state.now());
  if (!checked.ok) return errorReply(checked.errorId, 400, checked.params);
  const dialog = (typeof request.dialog === 'object' && request.dialog !== null ? request.dialog : {}) as Record<
    string,
    unknown
  >;
  const problems = dialogProblems(url, triggerId, dialog);
  for (const message of problems) state.warnings.push({ where: 'dialog', message });
  const context = state.triggerContext.get(triggerId) ?? { channelId: '', teamId: '' };
  const dropped = state.clientNotListening.has(checked.userId)
    ? 'client_not_listening'
    : state.latestClientTrigger.get(checked.userId) !== checked.clientTriggerId
      ? 'not_latest_trigger'
      : undefined;
  state.dialogsOpened.push({
    triggerId,
    userId: checked.userId,
    channelId: context.channelId,
    teamId: context.teamId,
    url,
    dialog: structuredClone(dialog),
    problems,
    openedAt: state.now(),
    shown: dropped === undefined,
    ...(dropped ? { dropped } : {}),
  });
  return { status: 200, json: { status: 'OK' } };
}
