import { DeliveryError } from '../delivery/delivery-error.js';
import type { MattermostApi } from './mattermost-api.js';

/** Mattermost ids: 26 lower-case letters and digits. */
export const isMattermostId = (value: string): boolean => /^[a-z0-9]{26}$/.test(value);

/**
 * Delivery targets to channel ids, looked up once each. `infra` (a logical
 * channel of the config) → `#infra` or `~infra` → the channel of that URL name
 * in the configured team → its id. Ids pass through; `@<user id>` is the
 * bot's direct channel with that user.
 */
export class MattermostChannels {
  readonly #api: MattermostApi;
  readonly #team: string;
  readonly #logical: Record<string, string>;
  readonly #botUserId: () => Promise<string>;
  readonly #ids = new Map<string, string>();

  constructor(api: MattermostApi, team: string, logical: Record<string, string>, botUserId: () => Promise<string>) {
    this.#api = api;
    this.#team = team;
    this.#logical = logical;
    this.#botUserId = botUserId;
  }

  async idOf(channel: string): Promise<string> {
    const target = this.#logical[channel] ?? channel;
    if (isMattermostId(target)) return target;
    const known = this.#ids.get(target);
    if (known) return known;
    const id = target.startsWith('@')
      ? await this.#direct(target.slice(1))
      : await this.#byName(target.replace(/^[#~]/, ''));
    this.#ids.set(target, id);
    return id;
  }

  async #direct(userId: string): Promise<string> {
    if (!isMattermostId(userId)) {
      throw new DeliveryError('mattermost', 'bad_target', `not a Mattermost user id: ${userId}`, { retryable: false });
    }
    return (await this.#api.directChannel(await this.#botUserId(), userId)).id;
  }

  async #byName(name: string): Promise<string> {
    try {
      return (await this.#api.channelByName(this.#team, name)).id;
    } catch (error) {
      if (error instanceof DeliveryError && error.code === 'not_found') {
        throw new DeliveryError(
          'mattermost',
          'channel_not_found',
          `no channel ~${name} in team ${this.#team} visible to the bot (for a private channel, add the bot to it)`,
          { retryable: false, cause: error },
        );
      }
      throw error;
    }
  }
}
