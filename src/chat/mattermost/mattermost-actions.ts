import type { IncomingMessage } from 'node:http';
import type { AuditLog } from '../../core/audit.js';
import type { Secret } from '../../core/secret.js';
import type { ConfirmationStore, Decision } from '../../store/confirmation-store.js';
import type { SecretPrompts } from '../secret-prompts.js';
import { type ButtonClick, buttonSecret, type DialogSubmit, sameSecret } from './mattermost-inbound.js';
import type { OpenPromptEntry } from './mattermost-surface.js';
import type { MattermostTexts } from './mattermost-texts.js';

/** What answering one click or dialog submission needs from the platform. */
export interface ActionContext {
  confirmations: ConfirmationStore;
  prompts: SecretPrompts;
  openPrompts: ReadonlyMap<string, OpenPromptEntry>;
  audit: AuditLog;
  texts: MattermostTexts;
  botToken: Secret;
  now: () => Date;
  /** `@username` when known, else the fallback. */
  mention(userId: string, fallback: string): string;
  /** Refuses the request before it reaches anything (401/400, counted, audited). */
  refuse(status: 400 | 401, reason: string): void;
  /** Answers Mattermost (HTTP 200 with this JSON). */
  reply(body: Record<string, unknown>): void;
  /** Runs a confirmed command, after the answer. */
  runConfirmed(r: { userId: string; channelId: string; text: string; responseUrl?: string; triggerId?: string }): void;
}

/** A confirmation button: only the requester decides, once, before it expires. */
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
  const { texts } = ctx;
  const mine = ctx.confirmations.get(id)?.platform === 'mattermost';
  const result: Decision = mine
    ? ctx.confirmations.decide(id, click.userId, decision, ctx.now())
    : { ok: false, reason: 'unknown' };
  if (!result.ok) {
    const owner = result.confirmation;
    const text =
      result.reason === 'other_user' && owner
        ? texts.notYours(ctx.mention(owner.userId, owner.actor))
        : result.reason === 'already_decided'
          ? texts.alreadyDecided
          : texts.expired;
    const auditId = ctx.audit.start({
      actor: `mattermost:${click.userId}`,
      platform: 'mattermost',
      text: owner?.text ?? '(confirmation)',
    });
    ctx.audit.finish(auditId, 'denied', `confirmation refused: ${result.reason}`);
    ctx.reply({ ephemeral_text: text });
    return;
  }
  const c = result.confirmation;
  const who = ctx.mention(click.userId, c.actor);
  const message = decision === 'confirmed' ? texts.confirmedBy(who, c.text) : texts.cancelledBy(who, c.text);
  // The buttons go: a decided confirmation is not offered again.
  ctx.reply({ update: { message, props: {} } });
  if (decision === 'cancelled') return;
  const replyTo = c.replyTo as { responseUrl?: string } | undefined;
  ctx.runConfirmed({
    userId: click.userId,
    channelId: c.channelId,
    text: c.text,
    responseUrl: replyTo?.responseUrl,
    triggerId: click.triggerId,
  });
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
