import { describe, expect, it } from 'vitest';
import { type ChatPlatform, stopPlatforms } from '../../src/chat/platform.js';
import type { Logger } from '../../src/core/logger.js';

/** A platform whose stop() does what it is told; only stop() and name are used here. */
function platform(name: string, stop: () => Promise<void>): ChatPlatform {
  const unused = () => {
    throw new Error('not used');
  };
  return { name, stop, start: unused, state: () => 'up', deliver: unused };
}

function recordingLogger(lines: string[]): Logger {
  const write = (level: string) => (fields: object, message?: string) =>
    lines.push(`${level} ${JSON.stringify(fields)} ${message ?? ''}`);
  const logger: Logger = {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: () => logger,
  };
  return logger;
}

describe('stopPlatforms', () => {
  it('waits for every platform, but not longer than the limit for one that never stops', async () => {
    const lines: string[] = [];
    const stopped: string[] = [];
    await stopPlatforms(
      [
        platform('slack', () => new Promise<void>(() => undefined)),
        platform('mattermost', async () => {
          await new Promise((r) => setTimeout(r, 50));
          stopped.push('mattermost');
        }),
        platform('console', () => Promise.reject(new Error('boom'))),
      ],
      300,
      recordingLogger(lines),
    );
    expect(stopped).toEqual(['mattermost']);
    expect(lines).toEqual([
      expect.stringMatching(/^error .*"platform":"console".* chat platform failed to stop$/),
      'warn {"platform":"slack"} chat platform did not stop within 300 ms',
    ]);
  });
});
