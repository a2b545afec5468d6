import { describe, expect, it } from 'vitest';
import { Limiter } from '../../../src/runners/ssh/limiter.js';

describe('Limiter', () => {
  it('grants up to its capacity, then serves waiters first come, first served', async () => {
    const limiter = new Limiter(2);
    await limiter.acquire();
    await limiter.acquire();
    const order: number[] = [];
    const third = limiter.acquire().then(() => order.push(3));
    const fourth = limiter.acquire().then(() => order.push(4));
    expect(limiter.waiting).toBe(2);
    expect(limiter.tryAcquire()).toBe(false);
    limiter.release();
    await third;
    expect(order).toEqual([3]);
    expect(limiter.inUse).toBe(2);
    limiter.release();
    await fourth;
    expect(order).toEqual([3, 4]);
    limiter.release();
    limiter.release();
    expect(limiter.inUse).toBe(0);
  });

  it('drops a waiter whose signal aborts, rejecting with its reason', async () => {
    const limiter = new Limiter(1);
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(limiter.waiting).toBe(0);
    limiter.release();
    expect(limiter.inUse).toBe(0);
    await expect(limiter.acquire(controller.signal)).rejects.toThrow('stop');
  });

  it('refuses a capacity below one', () => {
    expect(() => new Limiter(0)).toThrow(RangeError);
  });
});
