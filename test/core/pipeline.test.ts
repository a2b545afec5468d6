import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { help } from '../../commands/help.js';
import type { Actor } from '../../src/core/actor.js';
import { type AnyCommand, defineCommand } from '../../src/core/command.js';
import { CommandFailedError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { createPipeline } from '../../src/core/pipeline.js';
import type { Services } from '../../src/core/services.js';
import { memoryAudit } from '../support/memory-audit.js';

const noServices = {} as Services;
const alice: Actor = { kind: 'user', email: 'alice@epicerieledetour.org' };
const bob: Actor = { kind: 'user', email: 'Bob@EpicerieLeDetour.org' };
const eve: Actor = { kind: 'user', email: 'eve@example.com' };

function setup(extra: AnyCommand[], audit = memoryAudit()) {
  const pipeline = createPipeline({
    commands: [help, ...extra],
    access: { allowedDomains: ['epicerieledetour.org'], admins: ['alice@epicerieledetour.org'] },
    audit,
    services: noServices,
    locale: 'en',
    timeZone: 'Europe/Paris',
    logger: silentLogger,
  });
  return { audit, pipeline };
}

const command = (name: string, changes: boolean, run: AnyCommand['run']): AnyCommand =>
  defineCommand({ name, usage: name, summary: { en: name, fr: name }, args: z.object({}), changes, run });

describe('pipeline', () => {
  it('writes the audit row as running before the command does any work', async () => {
    const audit = memoryAudit();
    let seenDuringRun: unknown;
    const probe = command('probe', false, async () => {
      seenDuringRun = audit.list({ limit: 1 })[0];
      return { outcome: 'ok', text: 'measured' };
    });
    const { pipeline } = setup([probe], audit);
    const result = await pipeline({ text: 'probe', actor: bob, platform: 'slack' });
    expect(seenDuringRun).toMatchObject({
      status: 'running',
      command: 'probe',
      actor: 'Bob@EpicerieLeDetour.org',
      platform: 'slack',
    });
    expect(result).toMatchObject({ outcome: 'ok', text: 'measured' });
    expect(audit.list({ limit: 1 })[0]).toMatchObject({ id: result.auditId, status: 'ok' });
    expect(audit.list({ limit: 1 })[0]?.finishedAt).toBeDefined();
  });

  it('refuses users outside the allowed domains, and audits the refusal', async () => {
    let ran = false;
    const { audit, pipeline } = setup([
      command('probe', false, async () => {
        ran = true;
        return { outcome: 'ok', text: '' };
      }),
    ]);
    const result = await pipeline({ text: 'probe', actor: eve, platform: 'slack' });
    expect(result).toMatchObject({
      outcome: 'denied',
      text: 'eve@example.com is not allowed to use this bot (allowed domains: epicerieledetour.org).',
    });
    expect(ran).toBe(false);
    expect(audit.list({ limit: 1 })[0]).toMatchObject({ status: 'denied', actor: 'eve@example.com', command: 'probe' });
  });

  it('keeps commands that change something for admins (e-mail compared without case)', async () => {
    const change = command('unlock', true, async () => ({ outcome: 'ok', text: 'unlocked' }));
    const { pipeline } = setup([change]);
    expect(await pipeline({ text: 'unlock', actor: bob, platform: 'slack' })).toMatchObject({
      outcome: 'denied',
      text: '"unlock" changes something and is reserved for admins; Bob@EpicerieLeDetour.org is not one.',
    });
    expect(
      await pipeline({
        text: 'unlock',
        actor: { kind: 'user', email: 'ALICE@epicerieledetour.org' },
        platform: 'slack',
      }),
    ).toMatchObject({ outcome: 'ok' });
    expect(
      await pipeline({ text: 'unlock', actor: { kind: 'local', username: 'root' }, platform: 'console' }),
    ).toMatchObject({ outcome: 'ok' });
  });

  it('audits malformed commands with their usage', async () => {
    const { audit, pipeline } = setup([]);
    const result = await pipeline({ text: 'help a b c', actor: alice, platform: 'console' });
    expect(result.outcome).toBe('usage');
    expect(result.text).toBe('unexpected argument "c"\nusage: help [command]');
    expect(audit.list({ limit: 1 })[0]).toMatchObject({
      status: 'usage',
      text: 'help a b c',
      detail: 'unexpected argument "c"',
    });
  });

  it('turns a typed failure into its message and a crash into a pointer to the audit row', async () => {
    const { audit, pipeline } = setup([
      command('fail', false, async () => {
        throw new CommandFailedError('unknown_repository', 'unknown repository "x"');
      }),
      command('crash', false, async () => {
        throw new Error('stderr: BORG_PASSPHRASE=hunter2 leaked');
      }),
    ]);
    expect(await pipeline({ text: 'fail', actor: alice, platform: 'console' })).toMatchObject({
      outcome: 'failed',
      text: 'unknown repository "x"',
    });
    const crash = await pipeline({ text: 'crash', actor: alice, platform: 'console' });
    expect(crash.outcome).toBe('error');
    expect(crash.text).toBe(
      `internal error while running "crash" (audit #${crash.auditId}); the logs have the details.`,
    );
    expect(JSON.stringify(audit.list())).not.toContain('hunter2');
  });

  it('lists in help only what the user may run', async () => {
    const { pipeline } = setup([command('unlock', true, async () => ({ outcome: 'ok', text: '' }))]);
    expect((await pipeline({ text: 'help', actor: bob, platform: 'slack' })).text).not.toContain('unlock');
    expect((await pipeline({ text: 'help', actor: alice, platform: 'slack' })).text).toContain('unlock');
  });

  it('keeps adminOnly commands for admins without asking them a confirmation, and hides them in help', async () => {
    let runs = 0;
    const secretive = defineCommand({
      name: 'secretive',
      usage: 'secretive',
      summary: { en: 'secretive', fr: 'secretive' },
      args: z.object({}),
      changes: false,
      adminOnly: true,
      run: async () => ({ outcome: 'ok', text: `run ${++runs}` }),
    });
    const { pipeline, audit } = setup([secretive]);
    const refused = await pipeline({ text: 'secretive', actor: bob, platform: 'slack', requireConfirmation: true });
    expect(refused).toMatchObject({
      outcome: 'denied',
      text: '"secretive" is reserved for admins; Bob@EpicerieLeDetour.org is not one.',
    });
    expect(runs).toBe(0);
    expect(audit.list({ limit: 1 })[0]).toMatchObject({
      actor: 'Bob@EpicerieLeDetour.org',
      command: 'secretive',
      status: 'denied',
    });
    // Changes nothing: an admin on chat gets the answer at once, no confirmation button.
    const done = await pipeline({ text: 'secretive', actor: alice, platform: 'slack', requireConfirmation: true });
    expect(done).toMatchObject({ outcome: 'ok', text: 'run 1' });
    expect((await pipeline({ text: 'help', actor: bob, platform: 'slack' })).text).not.toContain('secretive');
    expect((await pipeline({ text: 'help', actor: alice, platform: 'slack' })).text).toContain('secretive');
  });
});
