import { describe, expect, it } from 'vitest';
import { ReplyHooks } from '../../src/chat/mattermost/reply-hooks.js';

const USER = 'a'.repeat(26);
const hook = (n: number) => `http://127.0.0.1:8065/hooks/commands/${n}`;

describe('Mattermost response_url memory', () => {
  it('holds a confirmation’s response_url until the confirmation expires, and gives it once', () => {
    let now = 0;
    const hooks = new ReplyHooks(() => now);
    hooks.keep('confirmation-1', hook(1), 10 * 60_000);
    hooks.keep('confirmation-2', hook(2), 10 * 60_000);
    expect(hooks.take('confirmation-1')).toBe(hook(1));
    expect(hooks.take('confirmation-1')).toBeUndefined();
    now = 10 * 60_000;
    expect(hooks.take('confirmation-2')).toBeUndefined();
    // Never longer than the response_url itself lives (30 min, less a margin), whatever the confirmation says.
    hooks.keep('confirmation-3', hook(3), 24 * 3_600_000);
    now += 29 * 60_000;
    expect(hooks.take('confirmation-3')).toBeUndefined();
  });

  it('stays bounded whatever comes in; the oldest go first (their replies then go by direct message)', () => {
    const hooks = new ReplyHooks(Date.now, 100);
    const first = hooks.target(USER, hook(0));
    for (let i = 1; i <= 5_000; i++) {
      if (i % 2) hooks.target(USER, hook(i));
      else hooks.keep(`c${i}`, hook(i), Date.now() + 600_000);
    }
    expect(hooks.size).toBe(100);
    expect(hooks.resolve(first)).toEqual({ userId: USER, key: first.split('#')[1], url: undefined });
    expect(hooks.take('c5000')).toBe(hook(5_000));
    const byDefault = new ReplyHooks();
    for (let i = 0; i < 3_000; i++) byDefault.target(USER, hook(i));
    expect(byDefault.size).toBe(1_000);
  });
});
