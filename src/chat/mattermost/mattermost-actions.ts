import type { IncomingMessage } from 'node:http';
import type { Secret } from '../../core/secret.js';
import type { SecretPrompts } from '../secret-prompts.js';
import { type ButtonClick, buttonSecret, type DialogSubmit, sameSecret } from './mattermost-inbound.js';
import type { OpenPromptEntry } from './mattermost-surface.js';
import type { MattermostTexts } from './mattermost-texts.js';

/** What answering one click or dialog submission needs from the platform. */
export interface ActionContext {
  prompts: SecretPrompts;
  openPrompts: ReadonlyMap<string, OpenPromptEntry>;
  texts: MattermostTexts;
  botToken: Secret;
  /** Refuses the request before it reaches anything (401/400, counted, audited within bounds). */
  refuse(status: 400 | 401, reason: string): void;
  /** Answers Mattermost (HTTP 200 with this JSON). */
  reply(body: Record<string, unknown>): void;
  /** Hands a click whose secret checked out to the chat session, which decides and answers it. */
  decide(click: {
    confirmationId: string;
    decision: 'confirmed' | 'cancelled';
    userId: string;
    triggerId: string | undefined;
  }): void;
}

/**
 * A confirmation button. Its context must carry the secret the bot put there
 * (clicks are not signed): nothing of a click is used, kept or shown before
 * that secret checks out.
 */
export function onClick(ctx: ActionContext, click: ButtonClick): void {
  const { confirmation: id, decision, secret } = click.context;
  if (typeof id !== 'string' || typeof secret !== 'string' || (decision !== 'confirmed' && decision !== 'cancelled')) {
    ctx.refuse(401, 'bad_context');
    return;
  }
  if (!sameSecret(buttonSecret(ctx.botToken, id), secret)) {
    ctx.refuse(401, 'bad_context');
    return;
  }
  ctx.decide({ confirmationId: id, decision, userId: click.userId, triggerId: click.triggerId });
}

/** The passphrase dialog: its state must be a prompt this process opened, for this user. */
export function onDialog(ctx: ActionContext, submit: DialogSubmit): void {
  if (submit.callbackId !== 'detour_secret') {
    ctx.refuse(401, 'unknown_dialog');
    return;
  }
  const entry = ctx.openPrompts.get(submit.state);
  if (!entry) {
    // Ours but dead (expired, used, the bot restarted), or not ours at all.
    const known = ctx.prompts.describe(submit.state);
    if (!known.ok && known.reason === 'unknown') {
      ctx.refuse(401, 'unknown_prompt');
      return;
    }
    ctx.reply(submit.cancelled ? {} : { error: ctx.texts.promptDead });
    return;
  }
  if (entry.userId !== submit.userId) {
    ctx.refuse(401, 'other_user');
    return;
  }
  if (submit.cancelled) {
    entry.cancel();
    ctx.reply({});
    return;
  }
  const value = submit.submission?.passphrase;
  if (typeof value !== 'string' || value === '') {
    ctx.reply({ errors: { passphrase: ctx.texts.passphraseMissing } });
    return;
  }
  const submitted = ctx.prompts.submit(submit.state, value);
  ctx.reply(submitted.ok ? {} : { error: ctx.texts.promptDead });
}

/**
 * Where Mattermost posts clicks and dialogs: http.publicUrl, else the listen
 * address (as configured, or as bound when the port was 0), else the Host the
 * Mattermost server used for this very request (reachable from it by definition).
 */
export function actionsUrl(
  req: IncomingMessage,
  o: { publicUrl?: string; listen: string; listenUrl?: () => string | undefined },
): string {
  const host = req.headers.host;
  const fromRequest = host && /^[A-Za-z0-9.-]+(:\d+)?$/.test(host) ? `http://${host}` : undefined;
  const base = o.publicUrl ?? concrete(o.listen) ?? concrete(o.listenUrl?.()) ?? fromRequest ?? `http://${o.listen}`;
  return `${base.replace(/\/$/, '')}/mattermost/actions`;
}

/** `HOST:PORT` or `http://HOST:PORT` as a base URL, unless it names no reachable address (port 0, a wildcard). */
function concrete(listen: string | undefined): string | undefined {
  if (!listen) return undefined;
  const hostPort = listen.replace(/^https?:\/\//, '').replace(/\/$/, '');
  const at = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, at);
  const port = hostPort.slice(at + 1);
  if (at < 0 || port === '0' || ['0.0.0.0', '::', '[::]', ''].includes(host)) return undefined;
  return `http://${hostPort}`;
}
