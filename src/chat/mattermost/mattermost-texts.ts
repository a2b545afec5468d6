import type { Locale } from '../../core/i18n.js';
import { type ConfirmationTexts, confirmationTexts } from '../confirmation-texts.js';

/** What the Mattermost adapter itself says (commands bring their own texts; confirmations are shared). */
export interface MattermostTexts extends ConfirmationTexts {
  working: string;
  noEmail: string;
  /** Dialog title and field label: at most 24 bytes each (model.Dialog.IsValid). */
  dialogTitle: string;
  passphraseLabel: string;
  submit: string;
  dialogFailed: string;
  noTrigger: string;
  promptCancelled: string;
  promptDead: string;
  passphraseMissing: string;
  received(command: string): string;
  dialogIntro(purpose: string, minutes: number): string;
  /** The dialog got no answer: it may never have opened. `link` is the one-time page, when there is one. */
  dialogUnanswered(link: { url: string; minutes: number } | undefined): string;
}

export function mattermostTexts(locale: Locale): MattermostTexts {
  return { ...confirmationTexts(locale), ...ownTexts(locale) };
}

function ownTexts(locale: Locale): Omit<MattermostTexts, keyof ConfirmationTexts> {
  return locale === 'fr'
    ? {
        working: 'Toujours en cours…',
        noEmail:
          'Impossible de connaître votre adresse e-mail : Mattermost doit la montrer au bot (réglage PrivacySettings.ShowEmailAddress).',
        dialogTitle: 'Phrase de passe',
        passphraseLabel: 'Phrase de passe',
        submit: 'Envoyer',
        dialogFailed:
          'Impossible d’ouvrir la fenêtre de saisie (elle doit s’ouvrir dans les 30 s qui suivent votre clic) : relancez la commande.',
        noTrigger: 'Cette requête ne peut pas ouvrir de fenêtre de saisie : relancez la commande.',
        promptCancelled: 'Saisie annulée : rien n’a été fait.',
        promptDead: 'Cette saisie a expiré ou a déjà servi : relancez la commande.',
        passphraseMissing: 'Tapez la phrase de passe.',
        received: (command) => `C’est noté : \`${command}\``,
        dialogIntro: (purpose, minutes) =>
          `${purpose}. Elle n’est envoyée qu’au bot, jamais publiée. Valable ${minutes} min.`,
        dialogUnanswered: (link) =>
          'La fenêtre de saisie de la phrase de passe est restée sans réponse : Mattermost ne l’ouvre que dans la fenêtre où vous avez cliqué ou tapé votre dernière commande, elle ne s’est peut-être pas ouverte. ' +
          (link
            ? `Relancez la commande, ou tapez la phrase de passe sur cette page à usage unique (valable ${link.minutes} min) : ${link.url}`
            : 'Relancez la commande.'),
      }
    : {
        working: 'Still working on it…',
        noEmail:
          'Could not find your e-mail address: Mattermost must show it to the bot (setting PrivacySettings.ShowEmailAddress).',
        dialogTitle: 'Passphrase',
        passphraseLabel: 'Passphrase',
        submit: 'Send',
        dialogFailed:
          'Could not open the passphrase dialog (it must open within 30 s of your click): run the command again.',
        noTrigger: 'This request cannot open a dialog: run the command again.',
        promptCancelled: 'Passphrase prompt cancelled: nothing was done.',
        promptDead: 'This passphrase prompt has expired or was already used: run the command again.',
        passphraseMissing: 'Type the passphrase.',
        received: (command) => `On it: \`${command}\``,
        dialogIntro: (purpose, minutes) =>
          `${purpose}. It goes to the bot only and is never posted. Valid ${minutes} min.`,
        dialogUnanswered: (link) =>
          'The passphrase dialog got no answer: Mattermost opens it only in the window where you last clicked or typed a command, so it may not have opened. ' +
          (link
            ? `Run the command again, or type the passphrase on this one-time page (valid ${link.minutes} min): ${link.url}`
            : 'Run the command again.'),
      };
}
