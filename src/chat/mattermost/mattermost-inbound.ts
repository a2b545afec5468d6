import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { DialogSubmission } from '@mattermost/types/integrations';
import type { Secret } from '../../core/secret.js';
import { isMattermostId } from './mattermost-channels.js';

/*
 * What Mattermost sends to the bot, checked before anything else runs.
 * Slash commands carry the command's token (form field `token` and header
 * `Authorization: Token …`); button clicks and dialog submissions carry no
 * signature, so the bot trusts only what it put there itself: an HMAC in the
 * button's context, a one-time prompt token in the dialog's state.
 */

/*
 * The user names Mattermost sends (`user_name`) are not kept: a name shown in
 * a reply comes from the REST API only (GET /api/v4/users/{id}).
 */
export interface SlashCommand {
  userId: string;
  channelId: string;
  teamId: string;
  command: string;
  text: string;
  responseUrl: string | undefined;
  triggerId: string | undefined;
}

export interface ButtonClick {
  kind: 'click';
  userId: string;
  channelId: string;
  postId: string;
  triggerId: string | undefined;
  context: Record<string, unknown>;
}

export interface DialogSubmit {
  kind: 'dialog';
  userId: string;
  callbackId: string;
  state: string;
  cancelled: boolean;
  submission: DialogSubmission['submission'] | null;
}

export type Refusal = { ok: false; status: 400 | 401; reason: string };

/** Equal in constant time, whatever the lengths (both sides are hashed first). */
export function sameSecret(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}

export function parseSlashCommand(
  headers: IncomingHttpHeaders,
  body: string,
  token: Secret,
): { ok: true; command: SlashCommand } | Refusal {
  const type = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return { ok: false, status: 400, reason: 'malformed' };
  const form = new URLSearchParams(body);
  const header = /^token\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();
  const given = [header, form.get('token') ?? undefined].filter((t): t is string => t !== undefined);
  // Every token sent must match, and at least one must be there.
  const expected = token.reveal();
  if (given.length === 0 || !given.every((t) => sameSecret(expected, t)))
    return { ok: false, status: 401, reason: 'bad_token' };
  const userId = form.get('user_id') ?? '';
  const channelId = form.get('channel_id') ?? '';
  if (!isMattermostId(userId) || !isMattermostId(channelId)) return { ok: false, status: 400, reason: 'malformed' };
  return {
    ok: true,
    command: {
      userId,
      channelId,
      teamId: form.get('team_id') ?? '',
      command: form.get('command') ?? '',
      text: (form.get('text') ?? '').trim(),
      responseUrl: httpUrl(form.get('response_url')),
      triggerId: form.get('trigger_id') || undefined,
    },
  };
}

/** A button click or a dialog submission, by shape. */
export function parseAction(body: string): { ok: true; action: ButtonClick | DialogSubmit } | Refusal {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, status: 400, reason: 'malformed' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, status: 400, reason: 'malformed' };
  const v = value as Record<string, unknown>;
  const str = (key: string) => (typeof v[key] === 'string' ? (v[key] as string) : '');
  if (!isMattermostId(str('user_id'))) return { ok: false, status: 400, reason: 'malformed' };
  if (v.type === 'dialog_submission') {
    const submission = v.submission;
    const validSubmission = submission === null || (typeof submission === 'object' && !Array.isArray(submission));
    if (!validSubmission || typeof v.cancelled !== 'boolean') return { ok: false, status: 400, reason: 'malformed' };
    return {
      ok: true,
      action: {
        kind: 'dialog',
        userId: str('user_id'),
        callbackId: str('callback_id'),
        state: str('state'),
        cancelled: v.cancelled,
        submission: submission as DialogSubmit['submission'],
      },
    };
  }
  const context = v.context;
  if (typeof context !== 'object' || context === null || Array.isArray(context) || !isMattermostId(str('channel_id'))) {
    return { ok: false, status: 400, reason: 'malformed' };
  }
  return {
    ok: true,
    action: {
      kind: 'click',
      userId: str('user_id'),
      channelId: str('channel_id'),
      postId: str('post_id'),
      triggerId: str('trigger_id') || undefined,
      context: context as Record<string, unknown>,
    },
  };
}

/**
 * The secret a confirmation button carries. Derived from the bot token, so it
 * survives a restart like the confirmation itself (stored in SQLite), and
 * cannot be made without the token.
 */
export function buttonSecret(botToken: Secret, confirmationId: string): string {
  const key = createHmac('sha256', botToken.reveal()).update('detour-bot mattermost actions').digest();
  return createHmac('sha256', key).update(confirmationId).digest('base64url');
}

function httpUrl(value: string | null): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}
