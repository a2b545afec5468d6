import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';

const check = (raw: Record<string, unknown>) => validateConfig(raw, {}, '/tmp', 'test.yaml');
function problems(raw: Record<string, unknown>): string {
  try {
    check(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

describe('config: schedule and timezone', () => {
  it('accepts a cron per job, "off", and the five job names; defaults to nothing overridden', () => {
    expect(check({}).schedule).toEqual({});
    const schedule = {
      probes: '*/10 * * * *',
      certs: 'off',
      'monthly-report': '0 9 1 * *',
      'morning-digest': '30 8 * * 1-5',
    };
    expect(check({ schedule }).schedule).toEqual(schedule);
  });

  it('refuses a cron that is invalid or never fires, an unknown job, and a time zone that does not exist', () => {
    const text = problems({
      timezone: 'Europe/Pariss',
      schedule: { 'morning-digest': '0 25 * * *', 'backup-check': 'hourly', certs: '0 0 31 2 *', digest: '0 9 * * *' },
    });
    expect(text.split('\n').slice(1)).toEqual([
      '  timezone: unknown time zone (expected a name such as Europe/Paris)',
      '  schedule.morning-digest: invalid cron "0 25 * * *" (invalid value for hour: 25)',
      `  schedule.backup-check: invalid cron "hourly" (invalid configuration format ('hourly'), exactly five, six, or seven space separated parts are required.)`,
      '  schedule.certs: invalid cron "0 0 31 2 *" (it never fires)',
      '  schedule.digest: unknown job "digest" (jobs: probes, backup-check, certs, morning-digest, monthly-report)',
    ]);
  });
});
