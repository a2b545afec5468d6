import type { Actor } from './actor.js';
import { type AnyCommand, changesSomething } from './command.js';
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
  const domain = actor.email.split('@')[1]?.toLowerCase() ?? '';
  if (!rules.allowedDomains.some((d) => d.toLowerCase() === domain)) {
    throw new AccessDeniedError(
      t(locale, 'notAllowedDomain', { email: actor.email, domains: rules.allowedDomains.join(', ') || '—' }),
    );
  }
  if (changesSomething(command, args) && !isAdmin(actor, rules)) {
    throw new AccessDeniedError(t(locale, 'adminOnly', { command: command.name, email: actor.email }));
  }
}
