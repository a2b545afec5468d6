import type { ChatMessage } from '../chat/message.js';
import type { AlertRow } from './alert-store.js';
import type { AlertTexts } from './texts.js';

/**
 * The messages posted to the alerts channel. The title says it all (it is the notification
 * people see); the body names the key and how to silence it.
 */
export class AlertMessages {
  readonly #t: AlertTexts;

  constructor(texts: AlertTexts) {
    this.#t = texts;
  }

  fired(row: AlertRow, nowIso: string): ChatMessage {
    const t = this.#t;
    const title = t.say('fired', {
      severity: this.#severity(row),
      summary: row.summary,
      since: t.time(row.firstAt, nowIso),
    });
    return { title: this.#withHint(title, row), body: this.#body(row, true) };
  }

  escalated(row: AlertRow, nowIso: string): ChatMessage {
    const t = this.#t;
    const title = t.say('escalated', {
      severity: this.#severity(row),
      summary: row.summary,
      since: t.time(row.firstAt, nowIso),
    });
    return { title: this.#withHint(title, row), body: this.#body(row, true) };
  }

  reminder(row: AlertRow, nowIso: string): ChatMessage {
    const t = this.#t;
    const title = t.say('reminder', {
      severity: this.#severity(row),
      summary: row.summary,
      lasted: t.duration(Date.parse(nowIso) - Date.parse(row.firstAt)),
    });
    return { title: this.#withHint(title, row), body: this.#body(row, true) };
  }

  /** Posted when it resolved, or when the silence that held it back ends (then with its time). */
  resolved(row: AlertRow, nowIso: string): ChatMessage {
    const t = this.#t;
    const at = row.resolvedAt ?? nowIso;
    const lasted = t.duration(row.resolvedMs ?? Date.parse(at) - Date.parse(row.firstAt));
    const title =
      at < nowIso
        ? t.say('resolvedEarlier', { time: t.time(at, nowIso), summary: row.summary, lasted })
        : t.say('resolved', { summary: row.summary, lasted });
    return { title, body: this.#body(row, false) };
  }

  gone(key: string): string {
    return this.#t.say('gone', { key });
  }

  unconfigured(key: string): string {
    return this.#t.say('unconfigured', { key });
  }

  #severity(row: AlertRow): string {
    return this.#t.severity(row.severity ?? 'warn');
  }

  #withHint(title: string, row: AlertRow): string {
    return row.hint ? `${title} — ${row.hint}` : title;
  }

  #body(row: AlertRow, silenceHow: boolean): string {
    const t = this.#t;
    const lines = [t.say('key', { key: row.key })];
    if (silenceHow) lines.push(t.say('silenceHow', { prefix: t.commandPrefix, key: row.key }));
    return lines.join('\n');
  }
}
