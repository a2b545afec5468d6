import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SecretPrompts } from '../chat/secret-prompts.js';
import { fill, type Locale } from '../core/i18n.js';
import { clientError, type Route, type Routes, readBody } from './server.js';

/*
 * The one-time page where a passphrase is typed (Slack has no masked input).
 * Served by the bot itself at `http.publicUrl`/prompt/<token>: a password
 * field, posted straight back to the bot. Nothing external is loaded, nothing
 * is cached, the page cannot be framed and sends no referrer.
 */
const text = {
  title: { en: 'detour-bot', fr: 'detour-bot' },
  ask: { en: 'Passphrase for {purpose}', fr: 'Phrase de passe pour {purpose}' },
  submit: { en: 'Send', fr: 'Envoyer' },
  unknown: { en: 'This link is not valid.', fr: "Ce lien n'est pas valide." },
  expired: {
    en: 'This link has expired. Run the command again in the chat.',
    fr: 'Ce lien a expiré. Relancez la commande dans le chat.',
  },
  badRequest: {
    en: 'This request could not be read. Open the link from the chat again.',
    fr: 'Cette requête est illisible. Rouvrez le lien depuis le chat.',
  },
  tooLarge: {
    en: 'That is too long for a passphrase. Open the link from the chat again.',
    fr: 'C’est trop long pour une phrase de passe. Rouvrez le lien depuis le chat.',
  },
  used: {
    en: 'This link was already used. Run the command again in the chat.',
    fr: 'Ce lien a déjà servi. Relancez la commande dans le chat.',
  },
  received: {
    en: 'Received. The result is also posted in the chat.',
    fr: 'Reçu. Le résultat est aussi posté dans le chat.',
  },
  pending: {
    en: 'Received; the command is still running: see the chat for its result.',
    fr: 'Reçu ; la commande tourne encore : voyez le chat pour son résultat.',
  },
};

const RESULT_WAIT_MS = 60_000;

export function secretPageRoutes(prompts: SecretPrompts, locale: Locale): Routes {
  const page = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    });
    res.end(
      `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
        `<title>${text.title[locale]}</title><style>body{font-family:sans-serif;max-width:32em;margin:3em auto;padding:0 1em}` +
        `input{font-size:1.1em;padding:.3em;width:100%;box-sizing:border-box}button{margin-top:1em;font-size:1.1em}pre{white-space:pre-wrap}</style>` +
        `</head><body>${body}</body></html>`,
    );
  };
  const tokenOf = (req: IncomingMessage) => decodeURIComponent((req.url ?? '').split('?')[0]?.split('/')[2] ?? '');
  const dead = (reason: 'unknown' | 'expired' | 'used') => `<p id="status">${text[reason][locale]}</p>`;
  /**
   * A link with a bad `%` escape is not a link the bot made (400, "not
   * valid"); a body over 16 kB is no passphrase (413). Both get the page's
   * short HTML answer; a real crash goes on to the server's bare 500.
   */
  const guarded =
    (route: Route): Route =>
    async (req, res) => {
      try {
        await route(req, res);
      } catch (error) {
        const refusal = clientError(error);
        if (!refusal || res.headersSent) throw error;
        res.setHeader('connection', 'close');
        const reason = refusal.status === 413 ? text.tooLarge : req.method === 'GET' ? text.unknown : text.badRequest;
        page(res, refusal.status, `<p id="status">${reason[locale]}</p>`);
      }
    };

  return {
    'GET /prompt/*': guarded((req, res) => {
      const state = prompts.describe(tokenOf(req));
      if (!state.ok) return page(res, state.reason === 'unknown' ? 404 : 410, dead(state.reason));
      page(
        res,
        200,
        `<form method="post"><label for="secret">${escapeHtml(fill(text.ask[locale], { purpose: state.purpose }))}</label>` +
          `<input id="secret" name="secret" type="password" autocomplete="off" autofocus required>` +
          `<button type="submit">${text.submit[locale]}</button></form>`,
      );
    }),
    'POST /prompt/*': guarded(async (req, res) => {
      const form = new URLSearchParams(await readBody(req, 16 * 1024));
      const submitted = prompts.submit(tokenOf(req), form.get('secret') ?? '');
      if (!submitted.ok) return page(res, submitted.reason === 'unknown' ? 404 : 410, dead(submitted.reason));
      const result = await Promise.race([
        submitted.result,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), RESULT_WAIT_MS).unref()),
      ]);
      page(
        res,
        200,
        result === undefined
          ? `<p id="status">${text.pending[locale]}</p>`
          : `<p id="status">${text.received[locale]}</p><pre id="result">${escapeHtml(result)}</pre>`,
      );
    }),
  };
}

function escapeHtml(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
