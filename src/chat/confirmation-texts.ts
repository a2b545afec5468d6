import type { Locale } from '../core/i18n.js';

/**
 * What every chat platform says around a confirmation, and to a user it
 * cannot identify. One copy for all platforms: `user` and `owner` come already
 * written the platform's way (`<@U…>` on Slack, `@name` on Mattermost).
 */
export interface ConfirmationTexts {
  confirm: string;
  cancel: string;
  confirmQuestion(text: string, minutes: number): string;
  confirmedBy(user: string, text: string): string;
  cancelledBy(user: string, text: string): string;
  notYours(owner: string): string;
  expired: string;
  alreadyDecided: string;
}

export function confirmationTexts(locale: Locale): ConfirmationTexts {
  return locale === 'fr'
    ? {
        confirm: 'Confirmer',
        cancel: 'Annuler',
        confirmQuestion: (text, minutes) => `Lancer « ${text} » ? (confirmation valable ${minutes} min)`,
        confirmedBy: (user, text) => `${user} a confirmé « ${text} » : c’est parti.`,
        cancelledBy: (user, text) => `${user} a annulé « ${text} ».`,
        notYours: (owner) => `Seul·e ${owner} peut confirmer ou annuler cette commande.`,
        expired: 'Cette confirmation a expiré : relancez la commande.',
        alreadyDecided: 'Cette commande a déjà été confirmée ou annulée.',
      }
    : {
        confirm: 'Confirm',
        cancel: 'Cancel',
        confirmQuestion: (text, minutes) => `Run "${text}"? (this confirmation is valid ${minutes} min)`,
        confirmedBy: (user, text) => `${user} confirmed "${text}": running it.`,
        cancelledBy: (user, text) => `${user} cancelled "${text}".`,
        notYours: (owner) => `Only ${owner} can confirm or cancel this command.`,
        expired: 'This confirmation has expired: run the command again.',
        alreadyDecided: 'This command was already confirmed or cancelled.',
      };
}
