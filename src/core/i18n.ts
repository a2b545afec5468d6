import { ownValue } from './own-key.js';

/** The two languages of the bot; replies follow the configured locale. */
export type Locale = 'fr' | 'en';

/** A text in both languages, as command declarations give their help. */
export type Localized = Record<Locale, string>;

type Params = Record<string, string | number>;

const messages = {
  unknownCommand: {
    en: 'unknown command "{text}". Type "help" for the list of commands.',
    fr: 'commande inconnue « {text} ». Tapez « help » pour la liste des commandes.',
  },
  didYouMean: {
    en: 'unknown command "{text}": did you mean "{suggestion}"?',
    fr: 'commande inconnue « {text} » : vouliez-vous dire « {suggestion} » ?',
  },
  usage: { en: 'usage: {usage}', fr: 'usage : {usage}' },
  emptyCommand: { en: 'no command given. Type "help".', fr: 'aucune commande. Tapez « help ».' },
  notAllowedDomain: {
    en: '{email} is not allowed to use this bot (allowed domains: {domains}).',
    fr: "{email} n'est pas autorisé à utiliser ce bot (domaines autorisés : {domains}).",
  },
  adminOnly: {
    en: '"{command}" changes something and is reserved for admins; {email} is not one.',
    fr: "« {command} » modifie quelque chose et est réservée aux admins ; {email} n'en fait pas partie.",
  },
  adminOnlyRead: {
    en: '"{command}" is reserved for admins; {email} is not one.',
    fr: "« {command} » est réservée aux admins ; {email} n'en fait pas partie.",
  },
  inlineSecret: {
    en: 'type the passphrase only in the prompt, never in the command: send "{usage}" and the bot asks for it privately. What you typed stays in the chat history: if it was a passphrase, change it.',
    fr: "tapez la phrase de passe seulement dans la fenêtre prévue, jamais dans la commande : envoyez « {usage} » et le bot la demande en privé. Ce que vous avez tapé reste dans l'historique du chat : si c'était une phrase de passe, changez-la.",
  },
  noSecretPrompt: {
    en: 'this chat cannot ask for a passphrase here; run the command on the server: detour run "<command>"',
    fr: 'ce chat ne peut pas demander de phrase de passe ici ; lancez la commande sur le serveur : detour run "<commande>"',
  },
  internalError: {
    en: 'internal error while running "{command}" (audit #{id}); the logs have the details.',
    fr: 'erreur interne pendant « {command} » (audit n°{id}) ; les journaux ont les détails.',
  },
} satisfies Record<string, Localized>;

export type MessageKey = keyof typeof messages;

export function t(locale: Locale, key: MessageKey, params: Params = {}): string {
  return fill(messages[key][locale], params);
}

export function fill(template: string, params: Params): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = ownValue(params, name);
    return value === undefined ? whole : String(value);
  });
}
