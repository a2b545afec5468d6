import type { Locale } from '../../core/i18n.js';
import { type ConfirmationTexts, confirmationTexts } from '../confirmation-texts.js';

/** What the Slack adapter itself says (commands bring their own texts; confirmations are shared). */
export interface SlackTexts extends ConfirmationTexts {
  working: string;
  noPublicUrl: string;
  noEmail: string;
  promptLink(url: string, minutes: number): string;
  promptUndeliverable: string;
}

export function slackTexts(locale: Locale): SlackTexts {
  return { ...confirmationTexts(locale), ...ownTexts(locale) };
}

function ownTexts(locale: Locale): Omit<SlackTexts, keyof ConfirmationTexts> {
  return locale === 'fr'
    ? {
        working: 'Je m’en occupe…',
        noPublicUrl:
          'Slack ne sait pas masquer une saisie : la phrase de passe ne doit pas y être tapée. Sans http.publicUrl configurée, déverrouillez depuis le serveur : detour run "unlock <cible>"',
        noEmail: 'Impossible de connaître votre adresse e-mail (le bot a-t-il la permission users:read.email ?).',
        promptLink: (url, minutes) =>
          `Tapez la phrase de passe sur cette page (valable ${minutes} min, une seule fois) : ${url}`,
        promptUndeliverable:
          'Slack ne prend pas de message pour le moment : le lien de saisie n’a pas pu vous être envoyé. Relancez la commande dans un instant.',
      }
    : {
        working: 'Working on it…',
        noPublicUrl:
          'Slack cannot mask what you type, so a passphrase must not be typed there. No http.publicUrl is configured: unlock from the server with detour run "unlock <target>"',
        noEmail: 'Could not find your e-mail address (does the bot have the users:read.email scope?).',
        promptLink: (url, minutes) => `Type the passphrase on this page (valid ${minutes} min, once): ${url}`,
        promptUndeliverable:
          'Slack is not taking messages right now, so the passphrase link could not reach you. Run the command again in a moment.',
      };
}
