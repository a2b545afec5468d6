import type { Locale } from '../../core/i18n.js';

/** What the Slack adapter itself says (commands bring their own texts). */
export interface SlackTexts {
  confirm: string;
  cancel: string;
  working: string;
  noPublicUrl: string;
  noEmail: string;
  confirmQuestion(text: string, minutes: number): string;
  promptLink(url: string, minutes: number): string;
  promptUndeliverable: string;
  confirmedBy(user: string, text: string): string;
  cancelledBy(user: string, text: string): string;
  notYours(owner: string): string;
  expired: string;
  alreadyDecided: string;
}

export function slackTexts(locale: Locale): SlackTexts {
  return locale === 'fr'
    ? {
        confirm: 'Confirmer',
        cancel: 'Annuler',
        working: 'Je m’en occupe…',
        noPublicUrl:
          'Slack ne sait pas masquer une saisie : la phrase de passe ne doit pas y être tapée. Sans http.publicUrl configurée, déverrouillez depuis le serveur : detour run "unlock <cible>"',
        noEmail: 'Impossible de connaître votre adresse e-mail (le bot a-t-il la permission users:read.email ?).',
        confirmQuestion: (text, minutes) => `Lancer « ${text} » ? (confirmation valable ${minutes} min)`,
        promptLink: (url, minutes) =>
          `Tapez la phrase de passe sur cette page (valable ${minutes} min, une seule fois) : ${url}`,
        promptUndeliverable:
          'Slack ne prend pas de message pour le moment : le lien de saisie n’a pas pu vous être envoyé. Relancez la commande dans un instant.',
        confirmedBy: (user, text) => `<@${user}> a confirmé « ${text} » : c’est parti.`,
        cancelledBy: (user, text) => `<@${user}> a annulé « ${text} ».`,
        notYours: (owner) => `Seul·e ${owner} peut confirmer ou annuler cette commande.`,
        expired: 'Cette confirmation a expiré : relancez la commande.',
        alreadyDecided: 'Cette commande a déjà été confirmée ou annulée.',
      }
    : {
        confirm: 'Confirm',
        cancel: 'Cancel',
        working: 'Working on it…',
        noPublicUrl:
          'Slack cannot mask what you type, so a passphrase must not be typed there. No http.publicUrl is configured: unlock from the server with detour run "unlock <target>"',
        noEmail: 'Could not find your e-mail address (does the bot have the users:read.email scope?).',
        confirmQuestion: (text, minutes) => `Run "${text}"? (this confirmation is valid ${minutes} min)`,
        promptLink: (url, minutes) => `Type the passphrase on this page (valid ${minutes} min, once): ${url}`,
        promptUndeliverable:
          'Slack is not taking messages right now, so the passphrase link could not reach you. Run the command again in a moment.',
        confirmedBy: (user, text) => `<@${user}> confirmed "${text}": running it.`,
        cancelledBy: (user, text) => `<@${user}> cancelled "${text}".`,
        notYours: (owner) => `Only ${owner} can confirm or cancel this command.`,
        expired: 'This confirmation has expired: run the command again.',
        alreadyDecided: 'This command was already confirmed or cancelled.',
      };
}
