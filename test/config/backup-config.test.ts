import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';

const repo = { name: 'b7-borg', type: 'borg', repo: '/srv/borg', passphrase: 'p' };
const problemsOf = (raw: Record<string, unknown>) => {
  try {
    validateConfig(raw, {}, '/tmp', 'test');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('backup jobs, checks and summaries in the configuration', () => {
  it('takes a command job, a playbook of the playbook folder, checks with tokens, and the summaries mode', () => {
    const config = validateConfig(
      {
        hosts: { b7: { local: true } },
        backups: [
          { ...repo, job: { command: ['borg', 'create', '--json', '::{now}', '/srv'], host: 'b7' } },
          { ...repo, name: 'r', type: 'restic', job: { playbook: 'backup', tags: ['r'] } },
        ],
        checks: { nightly: { token: 'a-long-enough-token', repository: 'b7-borg' } },
        backupSummaries: 'digest',
      },
      {},
      '/tmp',
      'test',
    );
    expect(config.backups[0]?.job).toEqual({ command: ['borg', 'create', '--json', '::{now}', '/srv'], host: 'b7' });
    expect(config.checks.nightly).toMatchObject({ period: 86_400_000, grace: 3_600_000, repository: 'b7-borg' });
    expect(String(config.checks.nightly?.token)).toBe('[secret]');
    expect(config.backupSummaries).toBe('digest');
    expect(validateConfig({}, {}, '/tmp', 'test').backupSummaries).toBe('post');
  });

  it('names every mistake with its path', () => {
    expect(
      problemsOf({
        backups: [
          { ...repo, job: { command: [] } },
          { ...repo, name: 'x', job: { command: ['borg'], host: 'nowhere' } },
          { ...repo, name: 'y', job: { playbook: '../evil.yml' } },
        ],
        checks: {
          short: { token: 'abc' },
          none: { period: '1d' },
          lost: { token: 'a-long-enough-token', repository: 'nothing' },
        },
        backupSummaries: 'sometimes',
      }),
    ).toEqual([
      'backups[0].job.command: give at least the program to run',
      'checks.short.token: too short: use at least 16 random characters',
      'checks.none.token: required (or tokenFile)',
      'backupSummaries: expected one of "post", "digest", got "sometimes"',
    ]);
    expect(
      problemsOf({
        backups: [
          { ...repo, name: 'x', job: { command: ['borg'], host: 'nowhere' } },
          { ...repo, name: 'y', job: { playbook: '../evil.yml' } },
        ],
        checks: { lost: { token: 'a-long-enough-token', repository: 'nothing' } },
      }),
    ).toEqual([
      'backups[0].job.host: no host "nowhere" under hosts',
      'backups[1].job.playbook: no playbook "../evil.yml" under ansible.playbooks, nor a playbook name of the playbook folder',
      'checks.lost.repository: no repository "nothing" under backups',
    ]);
  });
});
