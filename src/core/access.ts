import type { Actor } from './actor.js';
import { type AnyCommand, changesSomething, needsAdmin } from './command.js';
import { AccessDeniedError } from './errors.js';
import { type Locale, t } from './i18n.js';

export interface AccessRules {
  allowedDomains: readonly string[];
  admins: readonly string[];
}

/** Whether the actor counts as an admin. Local and scheduler actors are the server itself. */
export function isAdmin(actor: Actor, rules: AccessRules): boolean {
  if (actor.kind !== 'user') return true;
  const email = actor.email.toLowerCase();
  return rules.admins.some((admin) => admin.toLowerCase() === email);
}

/** Throws AccessDeniedError when the actor may not run the command with these arguments. */
export function authorise(actor: Actor, command: AnyCommand, args: unknown, rules: AccessRules, locale: Locale): void {
  if (actor.kind !== 'user') return;
  const domain = emailDomain(actor.email);
  if (domain === undefined || !rules.allowedDomains.some((d) => d.toLowerCase() === domain)) {
    throw new AccessDeniedError(
      t(locale, 'notAllowedDomain', { email: actor.email, domains: rules.allowedDomains.join(', ') || '—' }),
    );
  }
  if (needsAdmin(command, args) && !isAdmin(actor, rules)) {
    const key = changesSomething(command, args) ? 'adminOnly' : 'adminOnlyRead';
    throw new AccessDeniedError(t(locale, key, { command: command.name, email: actor.email }));
  }
}

/** One DNS label: letters, digits and inner hyphens, at most 63 characters (RFC 1035 §2.3.1). */
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * The domain of a valid address, lower-cased, or undefined. Exactly one `@`,
 * a non-empty local part without spaces, and a domain of at least two DNS
 * labels: `mallory@example.org@evil.com` must not count as example.org (nor
 * as evil.com), whatever a chat server lets a user type as their e-mail.
 */
export function emailDomain(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  if (at <= 0 || email.indexOf('@') !== at) return undefined;
  const local = email.slice(0, at);
  if (/[\s\p{Cc}]/u.test(local)) return undefined;
  const domain = email.slice(at + 1).toLowerCase();
  if (domain.length > 253) return undefined;
  const labels = domain.split('.');
  return labels.length >= 2 && labels.every((label) => LABEL.test(label)) ? domain : undefined;
}
