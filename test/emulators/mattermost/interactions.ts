/**
 * Button clicks and dialog submissions, as the server forwards them to the integration.
 *
 * Click (server/channels/app/integration_action.go DoPostActionWithCookie, DoActionRequest;
 * model PostActionIntegrationRequest): POST JSON {user_id, user_name, channel_id, channel_name,
 * team_id, team_domain, post_id, trigger_id, type, data_source, context} to
 * action.integration.url with Content-Type and Accept application/json and NO signature: the
 * integration trusts the `context` it put in the button. A non-200 answer fails the click
 * (400 api.post.do_action.action_integration.app_error); a 200 body, when not empty, is
 * PostActionIntegrationResponse {update, ephemeral_text, skip_slack_parsing, goto_location}.
 * `update` replaces the post's message (an update without `message` blanks it: it is decoded
 * into a Post) and its props (a null props keeps the old ones); from_webhook,
 * override_username and override_icon_url are carried over from the original post.
 *
 * Submission (app SubmitInteractiveDialog; model SubmitDialogRequest): POST JSON {type:
 * "dialog_submission", callback_id, state, user_id, channel_id, team_id, submission,
 * cancelled}; `url` is removed before sending. Cancel is only sent when the dialog has
 * notify_on_cancel, with a null submission. Answer: 200, empty or
 * SubmitDialogResponse {error, errors, type, form}.
 */
import { type AppErrorBody, appError } from './app-error.js';
import { resolveChannel, resolveUser } from './commands.js';
import { newId } from './ids.js';
import {
  canReadChannel,
  type DialogRecord,
  type EmulatorState,
  type EphemeralRecord,
  issueTrigger,
  type PostRecord,
} from './model.js';

export interface ClickOptions {
  /** The post (from `emulator.posts` or `emulator.ephemeral`) or its id. */
  post: PostRecord | EphemeralRecord | string;
  actionId: string;
  /** User id or username of who clicks. */
  user: string;
}

export interface IntegrationResult {
  /** Whether the request reached the integration and the server accepted its answer. */
  ok: boolean;
  status: number;
  body: string;
  /** The JSON sent to the integration. */
  sent?: Record<string, unknown>;
  /** The parsed answer. */
  response?: Record<string, unknown>;
  triggerId?: string;
  error?: AppErrorBody;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

async function postJson(
  url: string,
  payload: Json,
  timeoutMs: number,
): Promise<{ status: number; body: string } | undefined> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, body: await res.text() };
  } catch {
    return undefined;
  }
}

const actionError = (status = 400): AppErrorBody => appError('api.post.do_action.action_integration.app_error', status);

function findAction(post: PostRecord | EphemeralRecord, actionId: string): Json | undefined {
  const attachments = post.props.attachments;
  if (!Array.isArray(attachments)) return undefined;
  for (const att of attachments) {
    const actions = isObj(att) ? att.actions : undefined;
    if (!Array.isArray(actions)) continue;
    const found = actions.find((a) => isObj(a) && a.id === actionId);
    if (isObj(found)) return found;
  }
  return undefined;
}

const RETAINED = ['from_webhook', 'override_username', 'override_icon_url'];

function applyUpdate(state: EmulatorState, post: PostRecord | EphemeralRecord, update: Json): void {
  let props: Json;
  if (isObj(update.props)) {
    props = structuredClone(update.props);
    for (const key of RETAINED) {
      if (key in post.props) props[key] = post.props[key];
      else delete props[key];
    }
  } else {
    props = post.props;
  }
  const message = typeof update.message === 'string' ? update.message : '';
  if ('update_at' in post) {
    const now = state.now();
    const attachmentsChanged = JSON.stringify(props.attachments) !== JSON.stringify(post.props.attachments);
    if (message !== post.message || attachmentsChanged) post.edit_at = now;
    post.update_at = now;
  }
  post.message = message;
  post.props = props;
}

export async function clickButton(state: EmulatorState, o: ClickOptions): Promise<IntegrationResult> {
  const user = resolveUser(state, o.user);
  const post =
    typeof o.post === 'string'
      ? (state.posts.find((p) => p.id === o.post) ?? state.ephemeral.find((p) => p.id === o.post))
      : o.post;
  if (!post) return { ok: false, status: 0, body: '', error: appError('app.post.get.app_error', 404) };
  if (!canReadChannel(state, user.id, post.channel_id)) {
    return { ok: false, status: 0, body: '', error: appError('api.context.permissions.app_error', 403) };
  }
  const action = findAction(post, o.actionId);
  const integration = action?.integration;
  if (!action || !isObj(integration) || typeof integration.url !== 'string') {
    return { ok: false, status: 0, body: '', error: appError('api.post.do_action.action_id.app_error', 404) };
  }
  const channel = resolveChannel(state, post.channel_id);
  const triggerId = issueTrigger(state, user.id, channel);
  const sent: Json = {
    user_id: user.id,
    user_name: user.username,
    channel_id: channel.id,
    channel_name: channel.name,
    team_id: channel.team_id,
    team_domain: state.teams.get(channel.team_id)?.name ?? '',
    post_id: post.id,
    trigger_id: triggerId,
    type: typeof action.type === 'string' ? action.type : '',
    data_source: typeof action.data_source === 'string' ? action.data_source : '',
  };
  if (isObj(integration.context) && Object.keys(integration.context).length > 0) sent.context = integration.context;
  const answer = await postJson(integration.url, sent, state.outgoingTimeoutMs);
  if (!answer) return { ok: false, status: 0, body: '', sent, triggerId, error: actionError() };
  const result: IntegrationResult = { ok: false, status: answer.status, body: answer.body, sent, triggerId };
  if (answer.status !== 200) return { ...result, error: actionError() };
  let response: Json = {};
  if (answer.body.length > 0) {
    try {
      const parsed: unknown = JSON.parse(answer.body);
      if (!isObj(parsed)) throw new Error('not an object');
      response = parsed;
    } catch {
      return { ...result, error: actionError() };
    }
  }
  if (isObj(response.update)) applyUpdate(state, post, response.update);
  if (typeof response.ephemeral_text === 'string' && response.ephemeral_text !== '') {
    state.ephemeral.push({
      id: newId(),
      user_id: user.id,
      channel_id: channel.id,
      root_id: post.root_id !== '' ? post.root_id : post.id,
      message: response.ephemeral_text,
      type: '',
      props: { from_webhook: 'true' },
      source: 'action',
    });
  }
  return { ...result, ok: true, response };
}

export interface SubmitOptions {
  /** A record from `emulator.dialogsOpened`, or its index there. */
  dialog: DialogRecord | number;
  submission?: Record<string, unknown>;
  cancelled?: boolean;
  /** Defaults to the user the dialog was opened for. */
  user?: string;
}

export interface SubmitResult extends IntegrationResult {
  /** False when nothing was sent (a cancel without notify_on_cancel). */
  delivered: boolean;
}

/** The checks the webapp makes before it lets the user press Submit. */
function clientSideCheck(dialog: Json, submission: Record<string, unknown>): void {
  const elements = Array.isArray(dialog.elements) ? dialog.elements : [];
  for (const e of elements.filter(isObj)) {
    const name = String(e.name ?? '');
    const value = submission[name];
    const empty = value === undefined || value === null || value === '';
    if (empty && e.optional !== true) throw new Error(`emulator: dialog field "${name}" is required`);
    const len = typeof value === 'string' ? value.length : 0;
    if (!empty && typeof e.min_length === 'number' && len < e.min_length) {
      throw new Error(`emulator: dialog field "${name}" is shorter than ${e.min_length}`);
    }
    if (!empty && typeof e.max_length === 'number' && e.max_length > 0 && len > e.max_length) {
      throw new Error(`emulator: dialog field "${name}" is longer than ${e.max_length}`);
    }
  }
}

export async function submitDialog(state: EmulatorState, o: SubmitOptions): Promise<SubmitResult> {
  const record = typeof o.dialog === 'number' ? state.dialogsOpened[o.dialog] : o.dialog;
  if (!record) throw new Error('emulator: no such dialog');
  if (!record.shown) {
    // Nobody saw it: there is nothing to submit or cancel, the integration hears nothing.
    throw new Error(`emulator: this dialog was never shown to the user (${record.dropped})`);
  }
  if (record.problems.length > 0) {
    // The server only logged these; what a client does with such a dialog is undefined, so a test
    // that submits it would be testing nothing real.
    throw new Error(`emulator: dialog failed model.Dialog.IsValid: ${record.problems.join('; ')}`);
  }
  const userId = o.user ? resolveUser(state, o.user).id : record.userId;
  const cancelled = o.cancelled === true;
  if (cancelled && record.dialog.notify_on_cancel !== true) return { delivered: false, ok: true, status: 0, body: '' };
  if (!cancelled) clientSideCheck(record.dialog, o.submission ?? {});
  const sent: Json = {
    type: 'dialog_submission',
    callback_id: typeof record.dialog.callback_id === 'string' ? record.dialog.callback_id : '',
    state: typeof record.dialog.state === 'string' ? record.dialog.state : '',
    user_id: userId,
    channel_id: record.channelId,
    team_id: record.teamId,
    submission: cancelled ? null : (o.submission ?? {}),
    cancelled,
  };
  const answer = await postJson(record.url, sent, state.outgoingTimeoutMs);
  if (!answer) return { delivered: true, ok: false, status: 0, body: '', sent, error: actionError() };
  const result: SubmitResult = { delivered: true, ok: false, status: answer.status, body: answer.body, sent };
  if (answer.status !== 200) return { ...result, error: actionError() };
  if (answer.body.length === 0) return { ...result, ok: true, response: {} };
  try {
    const parsed: unknown = JSON.parse(answer.body);
    if (!isObj(parsed)) throw new Error('not an object');
    const type = parsed.type ?? '';
    if (!parsed.error && !isObj(parsed.errors) && !['', 'ok', 'form', 'navigate'].includes(String(type))) {
      return { ...result, response: parsed, error: appError('app.submit_interactive_dialog.invalid_response', 400) };
    }
    return { ...result, ok: true, response: parsed };
  } catch {
    return { ...result, error: appError('app.submit_interactive_dialog.decode_json_error', 500) };
  }
}
