import { describe, expect, it } from 'vitest';
import { UserCache } from '../../src/chat/user-cache.js';

describe('user e-mail cache', () => {
  it('asks the platform once per TTL, and never caches a failure', async () => {
    let now = 0;
    const asked: string[] = [];
    let fail = true;
    const cache = new UserCache(
      async (id) => {
        asked.push(id);
        if (fail) throw new Error('users.info failed');
        return `${id.toLowerCase()}@epicerieledetour.org`;
      },
      60_000,
      () => now,
    );
    await expect(cache.email('U1')).rejects.toThrow('users.info failed');
    fail = false;
    expect(await cache.email('U1')).toBe('u1@epicerieledetour.org');
    expect(await cache.email('U1')).toBe('u1@epicerieledetour.org');
    now = 61_000;
    await cache.email('U1');
    expect(asked).toEqual(['U1', 'U1', 'U1']);
  });
});
