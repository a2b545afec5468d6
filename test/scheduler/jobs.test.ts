import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/chat/message.js';
import type { RepositoryStatus } from '../../src/core/ports/backups.js';
import type { CertificateReport, HostProbeReport } from '../../src/core/ports/probes.js';
import { findJob, JOB_NAMES, type JobContext, type JobHooks } from '../../src/scheduler/jobs.js';

/*
 * The job bodies against in-memory ports: what each asks of the services and hands to the hooks
 * the lead wires (alerts, the digest builder). The real ports are driven end to end in
 * job-cli.test.ts.
 */

const at = '2026-12-07T10:00:00.000Z';
const fine = { ok: true as const, sample: {} as never };
const down = { ok: false as const, error: 'ssh: connect timed out' };
const host = (name: string, ok: boolean, partial = false): HostProbeReport => ({
  host: name,
  takenAt: at,
  disk: ok && !partial ? fine : down,
  memory: ok ? fine : down,
  load: ok ? fine : down,
  systemd: ok ? fine : down,
});
const repo = (name: string, marker: RepositoryStatus['marker']): RepositoryStatus => ({
  name,
  type: 'borg',
  maxAgeMs: 1,
  marker,
});
const cert = (target: string, rank: CertificateReport['rank']): CertificateReport => ({
  target,
  takenAt: at,
  rank,
  result: { ok: false, error: 'x' },
});

function context(hooks: JobHooks = {}, post?: JobContext['post']) {
  const calls: string[] = [];
  const ctx: JobContext = {
    probes: {
      hosts: () => ['b7-srv', 'local', 'vps2'],
      probeHosts: async (hosts) => {
        calls.push(`probeHosts ${hosts.join(',')}`);
        return [host('b7-srv', false), host('local', true), host('vps2', true, true)];
      },
      checkCertificates: async () => {
        calls.push('checkCertificates');
        return [cert('https://epicerieledetour.org', 'ok'), cert('/etc/wg.crt', 'warn')];
      },
    },
    backups: {
      names: () => ['b7-borg', 'b7-restic'],
      status: async (names, options) => {
        calls.push(`status ${names.join(',')} fresh=${options.fresh}`);
        return { repositories: [repo('b7-borg', 'OK'), repo('b7-restic', 'LATE')], refreshing: false, now: at };
      },
    },
    hooks,
    post,
  };
  return { ctx, calls };
}

const job = (name: string) => {
  const found = findJob(name);
  if (!found) throw new Error(name);
  return found;
};
const signal = new AbortController().signal;

describe('the scheduled jobs', () => {
  it('are probes, backup-check, certs, morning-digest, monthly-report, with the documented defaults', () => {
    expect(JOB_NAMES).toEqual(['probes', 'backup-check', 'certs', 'morning-digest', 'monthly-report']);
    expect(JOB_NAMES.map((n) => job(n).defaultCron)).toEqual([
      '*/5 * * * *',
      '0 * * * *',
      '0 8 * * *',
      '0 9 * * 1-5',
      '0 9 1 * *',
    ]);
  });

  it('probes: every host, then afterProbes with the reports; unreachable and partial hosts named', async () => {
    const seen: HostProbeReport[][] = [];
    const { ctx, calls } = context({ afterProbes: (reports) => void seen.push(reports) });
    const result = await job('probes').run(ctx, signal);
    expect(calls).toEqual(['probeHosts b7-srv,local,vps2']);
    expect(seen[0]?.map((r) => r.host)).toEqual(['b7-srv', 'local', 'vps2']);
    expect(result.outcome).toBe('failed');
    expect(result.summary.en).toBe('3 host(s) probed; unreachable: b7-srv; with a failed probe: vps2');
    expect(result.summary.fr).toBe('3 hôte(s) sondé(s) ; injoignable(s) : b7-srv ; avec une sonde en échec : vps2');
  });

  it('backup-check: a fresh status of every repository, then afterBackupCheck', async () => {
    const seen: RepositoryStatus[][] = [];
    const { ctx, calls } = context({ afterBackupCheck: async (statuses) => void seen.push(statuses) });
    const result = await job('backup-check').run(ctx, signal);
    expect(calls).toEqual(['status b7-borg,b7-restic fresh=true']);
    expect(seen[0]?.map((s) => s.marker)).toEqual(['OK', 'LATE']);
    // LATE is what the check found, not a check that failed.
    expect(result).toMatchObject({
      outcome: 'ok',
      summary: { en: '2 repository(ies) observed: b7-borg OK, b7-restic LATE' },
    });
  });

  it('backup-check without repositories still hands over to afterBackupCheck (push checks are judged there)', async () => {
    const seen: RepositoryStatus[][] = [];
    const { ctx, calls } = context({ afterBackupCheck: (statuses) => void seen.push(statuses) });
    const result = await job('backup-check').run({ ...ctx, backups: { ...ctx.backups, names: () => [] } }, signal);
    expect(calls).toEqual([]);
    expect(seen).toEqual([[]]);
    expect(result).toMatchObject({ outcome: 'ok', summary: { en: 'no backup repository configured' } });
  });

  it('certs: checkCertificates, then afterCertificates', async () => {
    const seen: CertificateReport[][] = [];
    const { ctx, calls } = context({ afterCertificates: (reports) => void seen.push(reports) });
    const result = await job('certs').run(ctx, signal);
    expect(calls).toEqual(['checkCertificates']);
    expect(seen).toHaveLength(1);
    expect(result.summary.en).toBe('2 certificate(s) checked: https://epicerieledetour.org ok, /etc/wg.crt warn');
  });

  it('a hook that throws makes the run failed, saying which hook', async () => {
    const { ctx } = context({
      afterProbes: () => {
        throw new Error('alerts table locked');
      },
    });
    const result = await job('probes').run(ctx, signal);
    expect(result.outcome).toBe('failed');
    expect(result.summary.en).toMatch(/; then afterProbes failed: alerts table locked$/);
  });

  it('morning-digest: builds the digest and posts it to the digest channel', async () => {
    const message: ChatMessage = { title: 'Bonjour', body: 'backups: all OK' };
    const posted: [string, ChatMessage][] = [];
    const { ctx } = context({ digest: async () => message }, (channel, m) => void posted.push([channel, m]));
    const result = await job('morning-digest').run(ctx, signal);
    expect(posted).toEqual([['digest', message]]);
    expect(result).toEqual({
      outcome: 'ok',
      summary: { en: 'digest posted to the "digest" channel', fr: 'résumé publié sur le canal « digest »' },
      message,
    });
  });

  it('morning-digest without a post (the command line) returns the digest to print', async () => {
    const message: ChatMessage = { body: 'digest' };
    const { ctx } = context({ digest: async () => message });
    expect(await job('morning-digest').run(ctx, signal)).toMatchObject({ outcome: 'ok', message });
  });

  it('morning-digest and monthly-report without their builders say "not available yet"', async () => {
    const { ctx } = context();
    expect(await job('morning-digest').run(ctx, signal)).toMatchObject({
      outcome: 'unavailable',
      summary: { en: 'not available yet: the morning digest is still being built' },
    });
    expect(await job('monthly-report').run(ctx, signal)).toMatchObject({
      outcome: 'unavailable',
      summary: { en: 'not available yet: the monthly report is not wired in' },
    });
  });

  it('monthly-report posts the report with its files to the reports channel; without a post, returns it', async () => {
    const message: ChatMessage = {
      title: 'IT usage report',
      body: 'figures',
      files: [{ path: '/r/a.png', name: 'a.png' }],
    };
    const posted: [string, ChatMessage][] = [];
    const { ctx } = context({ monthlyReport: async () => message });
    expect(await job('monthly-report').run(ctx, signal)).toMatchObject({
      outcome: 'ok',
      message,
      summary: { en: 'monthly report built, 1 file(s) written (printed here, not posted)' },
    });
    const result = await job('monthly-report').run({ ...ctx, post: (c, m) => void posted.push([c, m]) }, signal);
    expect(result.summary.en).toBe('monthly report posted to the "reports" channel with 1 file(s)');
    expect(posted).toEqual([['reports', message]]);
  });

  it('monthly-report catches up a missed 1st during the same month only', () => {
    const zone = { zone: 'Europe/Paris' };
    const slot = DateTime.fromISO('2026-12-01T09:00', zone);
    const catchUp = job('monthly-report').catchUp;
    expect(catchUp(slot, DateTime.fromISO('2026-12-07T14:00', zone))).toBe(true);
    expect(catchUp(slot, DateTime.fromISO('2027-01-01T08:00', zone))).toBe(false);
  });
});
