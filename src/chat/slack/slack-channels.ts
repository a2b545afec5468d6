import type { webApi } from '@slack/bolt';
import { DeliveryError } from '../delivery/delivery-error.js';

/**
 * Channel names to ids, looked up once. `infra` (a logical channel of the
 * config) → `#infra` → C0123. Ids pass through unchanged.
 */
export class SlackChannels {
  readonly #client: webApi.WebClient;
  readonly #logical: Record<string, string>;
  #byName: Map<string, string> | undefined;

  constructor(client: webApi.WebClient, logical: Record<string, string>) {
    this.#client = client;
    this.#logical = logical;
  }

  async idOf(channel: string): Promise<string> {
    const target = this.#logical[channel] ?? channel;
    // Channel, group, DM and user ids pass through (a user id posts to the bot's DM with them).
    if (/^[CGDUW][A-Z0-9]{6,}$/.test(target)) return target;
    const name = target.replace(/^#/, '');
    this.#byName ??= await this.#list();
    const id = this.#byName.get(name);
    if (id) return id;
    // A channel created since: look once more before giving up.
    this.#byName = await this.#list();
    const again = this.#byName.get(name);
    if (again) return again;
    throw new DeliveryError(
      'slack',
      'channel_not_found',
      `no Slack channel #${name} visible to the bot (for a private channel, invite the bot)`,
      {
        retryable: false,
      },
    );
  }

  async #list(): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    let cursor: string | undefined;
    do {
      const page = await this.#client.conversations.list({
        types: 'public_channel,private_channel',
        limit: 200,
        exclude_archived: true,
        cursor,
      });
      for (const c of page.channels ?? []) if (c.name && c.id) names.set(c.name, c.id);
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return names;
  }
}
