import { describe, expect, it } from 'vitest';
import { UserCache } from '../../src/chat/user-cache.js';

describe('user cache', () => {
  it('asks the platform once per TTL, and never caches a failure', async () => {
    let now = 0;
    const asked: string[] = [];
    let fail = true;
    const cache = new UserCache(
      async (id) => {
        asked.push(id);
        if (fail) throw new Error('users.info failed');
        return { email: `${id.toLowerCase()}@epicerieledetour.org` };
      },
      60_000,
      () => now,
    );
    await expect(cache.get('U1')).rejects.toThrow('users.info failed');
    fail = false;
    expect((await cache.get('U1')).email).toBe('u1@epicerieledetour.org');
    expect((await cache.get('U1')).email).toBe('u1@epicerieledetour.org');
    now = 61_000;
    await cache.get('U1');
    expect(asked).toEqual(['U1', 'U1', 'U1']);
  });

  it('keeps at most its bound, whatever ids come in, dropping the least recently used', async () => {
    const cache = new UserCache(async (id) => ({ email: `${id}@x.org`, name: id }), 60_000, Date.now, 100);
    await cache.get('kept');
    for (let i = 0; i < 5_000; i++) {
      await cache.get(`U${i}`);
      // A user seen often stays.
      if (i % 50 === 0) expect(cache.peek('kept')?.name).toBe('kept');
    }
    expect(cache.size).toBe(100);
    expect(cache.peek('kept')?.name).toBe('kept');
    expect(cache.peek('U0')).toBeUndefined();
    expect(cache.peek('U4999')?.email).toBe('U4999@x.org');
  });

  it('bounds itself by default', async () => {
    const cache = new UserCache(async (id) => ({ email: `${id}@x.org` }), 60_000);
    for (let i = 0; i < 3_000; i++) await cache.get(`U${i}`);
    expect(cache.size).toBe(1_000);
  });
});
