import { describe, expect, it } from 'vitest';
import { jobsWithNothingToDo } from '../../src/scheduler/nothing-to-do.js';

const empty = { hosts: {}, backups: [], checks: {}, certificates: [], channels: {} };

describe('jobsWithNothingToDo', () => {
  it('names every job whose configuration part is empty, with why', () => {
    expect(jobsWithNothingToDo(empty)).toEqual({
      probes: 'no host configured: nothing to probe',
      'backup-check': 'no backup repository and no push check configured',
      certs: 'no certificate watched',
      'morning-digest': 'no "digest" channel configured (channels.digest)',
      'monthly-report': 'no "reports" channel configured (channels.reports)',
    });
  });

  it('names none once each has something to work on; a push check alone keeps the backup check', () => {
    const full = {
      hosts: { local: { local: true as const } },
      backups: [],
      checks: { nightly: {} as never },
      certificates: [{ url: 'https://example.org' }],
      channels: { digest: '#digest', reports: '#general' },
    };
    expect(jobsWithNothingToDo(full)).toEqual({});
    // Another channel is neither the digest's nor the reports'.
    expect(jobsWithNothingToDo({ ...full, channels: { infra: '#infra' } })).toEqual({
      'morning-digest': 'no "digest" channel configured (channels.digest)',
      'monthly-report': 'no "reports" channel configured (channels.reports)',
    });
  });
});
