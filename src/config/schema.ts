import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { Secret } from '../core/secret.js';
import { cronProblem, isTimeZone, OFF } from '../scheduler/cron.js';
import { JOB_NAMES } from '../scheduler/jobs.js';
import { DURATION_HINT, parseDuration } from './duration.js';

/*
 * The single source of truth for the configuration: every type the engine
 * uses for config is inferred from here. Objects are strict, so a misspelt key
 * is an error rather than a silently ignored setting.
 *
 * Secret keys (listed in SECRET_KEYS) may be given inline (usually as
 * `${ENV_NAME}`) or as `<key>File: /path`; the loader refuses both at once and
 * reads the files.
 */
export const SECRET_KEYS = ['passphrase', 'botToken', 'signingSecret', 'appToken', 'commandToken', 'token'] as const;

/** Where OpenSSH itself looks for the bot user's known hosts. */
const DEFAULT_KNOWN_HOSTS = join(homedir(), '.ssh', 'known_hosts');

/**
 * Builds the schema. A function, not a constant: the loader validates once and lets the schema go,
 * so a long-running `detour serve` does not keep its hundreds of zod objects (and the parsers zod
 * compiles for them) alive.
 */
export function buildConfigSchema() {
  const duration = z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `invalid duration "${text}" (${DURATION_HINT})` });
      return z.NEVER;
    }
    return ms;
  });

  const secret = z
    .union([z.string(), z.instanceof(Secret)])
    .transform((v) => (v instanceof Secret ? v : new Secret(v)));
  const email = z.string().regex(/^[^@\s]+@[^@\s]+$/, 'expected an e-mail address');
  const name = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'expected a name of letters, digits, "-", "_", "."');

  /** Adds `key` and `keyFile` to a shape and refuses both at once. */
  function withSecret<S extends z.ZodRawShape, K extends (typeof SECRET_KEYS)[number]>(shape: S, key: K) {
    return { ...shape, [key]: secret.optional(), [`${key}File`]: z.string().optional() } as S & {
      [P in K]: z.ZodOptional<typeof secret>;
    } & { [P in `${K}File`]: z.ZodOptional<z.ZodString> };
  }

  const backup = z
    .strictObject(
      withSecret(
        {
          name,
          type: z.enum(['borg', 'restic']),
          repo: z.string().min(1),
          maxAge: duration.default(26 * 3_600_000),
          timeout: duration.optional(),
          job: z
            .union(
              [
                z.strictObject({ playbook: z.string(), tags: z.array(z.string()).default([]) }),
                z.strictObject({
                  /** argv of the backup command; BORG_REPO/BORG_PASSPHRASE or RESTIC_REPOSITORY/RESTIC_PASSWORD are set for it. */
                  command: z.array(z.string().min(1)).min(1, 'give at least the program to run'),
                  /** Where it runs (a name under hosts); here when absent. */
                  host: z.string().optional(),
                }),
              ],
              { error: 'expected either "playbook: NAME, tags: [...]" or "command: [argv...]"' },
            )
            .optional(),
          /** Time limit of one `backup run` (6h when absent). */
          runTimeout: duration.optional(),
        },
        'passphrase',
      ),
    )
    .superRefine((b, ctx) => {
      if (b.passphrase === undefined && b.passphraseFile === undefined) {
        ctx.addIssue({ code: 'custom', path: ['passphrase'], message: 'required (or passphraseFile)' });
      }
    });

  /** A Healthchecks-style check: a job outside the bot pings it (`POST /ping/<name>`). */
  const check = z
    .strictObject(
      withSecret(
        {
          /** How often it should report success; overdue after period + grace. */
          period: duration.default(86_400_000),
          grace: duration.default(3_600_000),
          /** The backup repository (a name under backups) the check reports on, if any. */
          repository: z.string().optional(),
        },
        'token',
      ),
    )
    .superRefine((c, ctx) => {
      if (c.token === undefined && c.tokenFile === undefined) {
        ctx.addIssue({ code: 'custom', path: ['token'], message: 'required (or tokenFile)' });
      } else if (c.token !== undefined && c.token.reveal().length < 16) {
        ctx.addIssue({ code: 'custom', path: ['token'], message: 'too short: use at least 16 random characters' });
      }
    });

  const sshHost = z.strictObject({
    host: z.string(),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string(),
    privateKeyFile: z.string(),
    /** Run privileged steps (cryptsetup, mount, systemctl) through `sudo -n` as this user is not root. */
    sudo: z.boolean().default(false),
  });

  /**
   * Refuses a chat section without a secret its platform cannot work without:
   * a platform started with an empty signing secret or command token would
   * check requests against "" (the file variant is read later, and an empty
   * file is refused there).
   */
  function requireSecret(
    section: Partial<Record<(typeof SECRET_KEYS)[number], Secret>> & Record<string, unknown>,
    key: (typeof SECRET_KEYS)[number],
    ctx: z.RefinementCtx,
    how: { when?: string; why?: string } = {},
  ): void {
    const value = section[key];
    if (value === undefined && section[`${key}File`] === undefined) {
      const when = how.when ? ` ${how.when}` : '';
      const why = how.why ? `: ${how.why}` : '';
      ctx.addIssue({ code: 'custom', path: [key], message: `required${when} (or ${key}File)${why}` });
    } else if (value !== undefined && value.reveal() === '') {
      ctx.addIssue({ code: 'custom', path: [key], message: 'is empty' });
    }
  }

  const slack = z
    .strictObject({
      mode: z.enum(['http', 'socket']).default('http'),
      ...withSecret({}, 'botToken'),
      ...withSecret({}, 'signingSecret'),
      ...withSecret({}, 'appToken'),
      apiUrl: z.url().optional(),
    })
    .superRefine((s, ctx) => {
      requireSecret(s, 'botToken', ctx);
      if (s.mode === 'http') {
        requireSecret(s, 'signingSecret', ctx, {
          when: 'in http mode',
          why: 'every request from Slack is checked with it',
        });
      } else {
        requireSecret(s, 'appToken', ctx, { when: 'in socket mode' });
      }
    });

  const mattermost = z
    .strictObject({
      url: z.url(),
      ...withSecret({}, 'botToken'),
      ...withSecret({}, 'commandToken'),
      team: z.string(),
      /**
       * How long the passphrase dialog may go unanswered before the bot tells the user the way out:
       * Mattermost shows a dialog only in the client whose latest trigger matches, silently.
       */
      dialogTimeout: duration.default(60_000),
    })
    .superRefine((m, ctx) => {
      requireSecret(m, 'botToken', ctx);
      requireSecret(m, 'commandToken', ctx, { why: 'every slash command is checked with it' });
    });

  const threshold = z.strictObject({ warn: z.number(), crit: z.number() });

  const DAY_MS = 86_400_000;
  /** A retention: at least `minDays`, so what reads the rows (the monthly report: last month) finds them. */
  const keptFor = (minDays: number, defaultDays: number) =>
    duration
      .refine((ms) => ms >= minDays * DAY_MS, { message: `keep at least ${minDays}d` })
      .default(defaultDays * DAY_MS);

  /** Defaults: the audit a little over 13 months (a year back, whole months); the rest what alerts and reports read. */
  const RETENTION_DEFAULTS = {
    audit: 400,
    outbox: 30,
    confirmations: 7,
    samples: 90,
    observations: 90,
    backupEvents: 90,
    alerts: 400,
  } as const;

  const ALERTS_DEFAULTS = {
    channel: 'infra',
    samplesToFire: 2,
    remindEvery: 6 * 3_600_000,
    hysteresis: 5,
    loadHysteresis: 0.25,
    certificateDays: [21, 7, 1],
    maxSilence: 30 * DAY_MS,
  };

  return z.strictObject({
    locale: z.enum(['fr', 'en']).default('fr'),
    timezone: z
      .string()
      .refine(isTimeZone, { message: 'unknown time zone (expected a name such as Europe/Paris)' })
      .default('Europe/Paris'),
    database: z.string().default('./var/detour.db'),
    http: z
      .strictObject({
        listen: z
          .string()
          .regex(/^[^:]+:\d+$/, 'expected HOST:PORT')
          .default('127.0.0.1:8080'),
        publicUrl: z.url().optional(),
      })
      .default({ listen: '127.0.0.1:8080' }),
    chat: z
      .strictObject({
        slack: slack.optional(),
        mattermost: mattermost.optional(),
        commandPrefix: z.string().default('/detour'),
        /** How long confirmation buttons stay valid. */
        confirmTimeout: duration.default(10 * 60_000),
        /** How long a one-time passphrase link or dialog stays valid. */
        promptTimeout: duration.default(5 * 60_000),
        /** How long a user's e-mail is cached after the platform's API gave it. */
        userCacheTtl: duration.default(10 * 60_000),
      })
      .default({
        commandPrefix: '/detour',
        confirmTimeout: 10 * 60_000,
        promptTimeout: 5 * 60_000,
        userCacheTtl: 10 * 60_000,
      }),
    channels: z.record(z.string(), z.string()).default({}),
    access: z
      .strictObject({
        allowedDomains: z.array(z.string()).default([]),
        admins: z.array(email).default([]),
      })
      .default({ allowedDomains: [], admins: [] }),
    hosts: z
      .record(
        z.string(),
        z.union([z.strictObject({ local: z.literal(true) }), z.strictObject({ ssh: sshHost })], {
          error: 'expected either "local: true" or "ssh: {host, user, privateKeyFile}"',
        }),
      )
      .default({}),
    ssh: z
      .strictObject({
        /** OpenSSH known_hosts with every SSH host's key: unknown or changed keys are refused. */
        knownHostsFile: z.string().default(DEFAULT_KNOWN_HOSTS),
        connectTimeout: duration.default(15_000),
        commandTimeout: duration.default(60_000),
        /**
         * Commands at once on one host; more wait in line. At most 8: sshd's MaxSessions is 10 by
         * default, and the SFTP session for file reads and a cancel's kill command need one each.
         */
        maxChannelsPerHost: z.number().int().min(1).max(8).default(4),
        /** Connections kept open at once. */
        maxConnections: z.number().int().min(1).default(8),
      })
      .default({
        knownHostsFile: DEFAULT_KNOWN_HOSTS,
        connectTimeout: 15_000,
        commandTimeout: 60_000,
        maxChannelsPerHost: 4,
        maxConnections: 8,
      }),
    probes: z
      .strictObject({
        /** Per probe and host. */
        timeout: duration.default(10_000),
        /** Hosts probed at once. */
        concurrency: z.number().int().min(1).default(8),
        /** Days left below which a certificate is reported (warn). */
        certificateWarnDays: z.number().int().min(1).default(21),
      })
      .default({ timeout: 10_000, concurrency: 8, certificateWarnDays: 21 }),
    backups: z.array(backup).default([]),
    /** Pushed reports of backups that run outside the bot, by check name (`POST /ping/<name>`). */
    checks: z.record(name, check).default({}),
    /** post: every finished backup is posted to the backups channel; digest: only failures, successes wait for the digest. */
    backupSummaries: z.enum(['post', 'digest']).default('post'),
    backupStatus: z
      .strictObject({
        /** Observations older than this are refreshed (in the background when serving). */
        refreshAfter: duration.default(15 * 60_000),
        /** Per-repository limit for one observation. */
        timeout: duration.default(120_000),
      })
      .default({ refreshAfter: 15 * 60_000, timeout: 120_000 }),
    ansible: z
      .strictObject({
        inventory: z.string().optional(),
        playbookDir: z.string().optional(),
        playbooks: z
          .record(
            z.string(),
            z.strictObject({
              file: z.string(),
              inventory: z.string().optional(),
              tags: z.array(z.string()).default([]),
              checkOnlyForNonAdmins: z.boolean().default(false),
            }),
          )
          .default({}),
      })
      .optional(),
    unlock: z
      .record(
        z.string(),
        z.strictObject({
          host: z.string(),
          device: z.string(),
          mapper: z.string(),
          mount: z.string(),
          services: z.array(z.string()).default([]),
          /** direct: cryptsetup on the host itself (locally or over SSH); ansible: playbooks/unlock.yml with the target's tag. */
          via: z.enum(['direct', 'ansible']).default('direct'),
          /** How the mount is done: the mapper device on the mount point, or the mount point's fstab entry. */
          mountVia: z.enum(['device', 'fstab']).default('device'),
        }),
      )
      .default({}),
    thresholds: z.record(z.string(), threshold).default({}),
    /** How threshold breaches become messages (docs/en/alerts.md). */
    alerts: z
      .strictObject({
        /** Logical channel (see `channels`) alerts are posted to. */
        channel: z.string().min(1).default(ALERTS_DEFAULTS.channel),
        /** Consecutive breaching samples before disk, inodes, memory, load, systemd and unreachable alerts fire. */
        samplesToFire: z.number().int().min(1).max(100).default(ALERTS_DEFAULTS.samplesToFire),
        /** A reminder while an alert keeps firing (certificates excepted: they post once per threshold). */
        remindEvery: duration
          .refine((ms) => ms >= 60_000, { message: 'at least 1m' })
          .default(ALERTS_DEFAULTS.remindEvery),
        /** Percentage points a disk, inodes or memory value must fall below its threshold to resolve. */
        hysteresis: z.number().min(0).max(50).default(ALERTS_DEFAULTS.hysteresis),
        /** The same for load per core. */
        loadHysteresis: z.number().min(0).default(ALERTS_DEFAULTS.loadHysteresis),
        /** Days left at which a certificate alert posts, once each (the first warns, the others are critical). */
        certificateDays: z
          .array(z.number().int().min(0).max(365))
          .min(1)
          .transform((days) => [...new Set(days)].sort((a, b) => b - a))
          .default(ALERTS_DEFAULTS.certificateDays),
        /** The longest `alerts silence` accepted. */
        maxSilence: duration.default(ALERTS_DEFAULTS.maxSilence),
      })
      .default(ALERTS_DEFAULTS),
    certificates: z
      .array(
        z.union([z.strictObject({ url: z.url() }), z.strictObject({ file: z.string() })], {
          error: 'expected either "url: https://…" or "file: /path/to/cert.pem"',
        }),
      )
      .default([]),
    /** Per job: a cron in `timezone`, or `off`; jobs not named keep their default time. */
    schedule: z
      .record(z.string(), z.string())
      .superRefine((schedule, ctx) => {
        for (const [job, pattern] of Object.entries(schedule)) {
          if (!JOB_NAMES.includes(job)) {
            ctx.addIssue({
              code: 'custom',
              path: [job],
              message: `unknown job "${job}" (jobs: ${JOB_NAMES.join(', ')})`,
            });
            continue;
          }
          const problem = pattern === OFF ? undefined : cronProblem(pattern);
          if (problem) ctx.addIssue({ code: 'custom', path: [job], message: `invalid cron "${pattern}" (${problem})` });
        }
      })
      .default({}),
    /** How long rows are kept; older ones are pruned at start-up and daily by `detour serve`. */
    retention: z
      .strictObject({
        /** Every command run; the monthly report reads last month's. */
        audit: keptFor(62, RETENTION_DEFAULTS.audit),
        /** Channel messages once delivered or given up. */
        outbox: keptFor(1, RETENTION_DEFAULTS.outbox),
        /** Confirmations and one-time passphrase prompts, once expired. */
        confirmations: keptFor(1, RETENTION_DEFAULTS.confirmations),
        /** Probe samples; the monthly report reads last month's. */
        samples: keptFor(62, RETENTION_DEFAULTS.samples),
        /** Backup observations (each repository's newest, and newest good, are always kept). */
        observations: keptFor(62, RETENTION_DEFAULTS.observations),
        /** Backup check events (pings) and finished-backup summaries; each check's state row stays. */
        backupEvents: keptFor(62, RETENTION_DEFAULTS.backupEvents),
        /** Alert history (fired, resolved, silenced); the digest and monthly report read it. */
        alerts: keptFor(62, RETENTION_DEFAULTS.alerts),
      })
      .default({
        audit: RETENTION_DEFAULTS.audit * DAY_MS,
        outbox: RETENTION_DEFAULTS.outbox * DAY_MS,
        confirmations: RETENTION_DEFAULTS.confirmations * DAY_MS,
        samples: RETENTION_DEFAULTS.samples * DAY_MS,
        observations: RETENTION_DEFAULTS.observations * DAY_MS,
        backupEvents: RETENTION_DEFAULTS.backupEvents * DAY_MS,
        alerts: RETENTION_DEFAULTS.alerts * DAY_MS,
      }),
  });
}

export type Config = z.output<ReturnType<typeof buildConfigSchema>>;
export type BackupConfig = Config['backups'][number];
export type CheckConfig = Config['checks'][string];
export type HostConfig = Config['hosts'][string];
export type UnlockConfig = Config['unlock'][string];
