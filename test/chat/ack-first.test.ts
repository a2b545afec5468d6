import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AckFirst } from '../../src/chat/ack-first.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('acks first, work second', () => {
  it('starts a lone command’s work right after its ack, once quiet', () => {
    const scheduler = new AckFirst({ quietMs: 20, maxDelayMs: 5_000 });
    const ran: string[] = [];
    const answered = scheduler.received();
    scheduler.schedule(() => ran.push('a'));
    answered();
    vi.advanceTimersByTime(19);
    expect(ran).toEqual([]);
    vi.advanceTimersByTime(1);
    vi.runOnlyPendingTimers();
    expect(ran).toEqual(['a']);
  });

  it('holds work while requests keep arriving, then runs it all, in order', () => {
    const scheduler = new AckFirst({ quietMs: 20, maxDelayMs: 5_000 });
    const ran: number[] = [];
    for (let i = 0; i < 10; i++) {
      const answered = scheduler.received();
      scheduler.schedule(() => ran.push(i));
      answered();
      vi.advanceTimersByTime(10); // the next request comes before the quiet time is over
    }
    expect(ran).toEqual([]);
    vi.advanceTimersByTime(20);
    vi.runOnlyPendingTimers();
    expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('never starves work: a steady stream still lets it run after the maximum delay', () => {
    const scheduler = new AckFirst({ quietMs: 20, maxDelayMs: 100 });
    const ran: string[] = [];
    scheduler.received(); // a request that stays open
    scheduler.schedule(() => ran.push('late'));
    vi.advanceTimersByTime(100);
    vi.runOnlyPendingTimers();
    expect(ran).toEqual(['late']);
  });
});
