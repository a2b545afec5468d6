import { afterEach, describe, expect, it } from 'vitest';
import { alertHarness, hostReport } from '../alerts/harness.js';
import { alice, bob, testPipeline } from '../support/app.js';

const MIN = 60_000;

let harness: Awaited<ReturnType<typeof alertHarness>>;
afterEach(() => harness?.close());

async function firingSetup(raw: Record<string, unknown> = {}) {
  harness = await alertHarness({
    unlock: { dataproxies: { host: 'b7-srv', device: '/dev/sdb1', mapper: 'dataproxies', mount: '/srv/dataproxies' } },
    ...raw,
  });
  const engine = harness.engine();
  for (const percent of [95, 95]) {
    const at = harness.tick(5 * MIN);
    engine.observeHosts([hostReport('b7-srv', at, { mounts: { '/srv': percent }, memory: 91 })], at);
  }
  return { engine, ...testPipeline(harness.config, { alerts: engine }) };
}

describe('alerts', () => {
  it('says so in one line when nothing fires', async () => {
    harness = await alertHarness();
    const { ask, audit } = testPipeline(harness.config, { alerts: harness.engine() });
    expect(await ask('alerts', bob)).toMatchObject({ outcome: 'ok', text: 'no active alert.' });
    expect(audit.list({ limit: 1 })[0]).toMatchObject({ command: 'alerts', status: 'ok', detail: '0 active' });
  });

  it('lists active alerts one per line, most severe first, with the time in the configured zone', async () => {
    const { ask, engine } = await firingSetup();
    engine.silence('memory:b7-srv', 2 * 60 * MIN, 'alice@epicerieledetour.org');
    const r = await ask('alerts', bob);
    expect(r.outcome).toBe('failed');
    expect(r.text.split('\n')).toEqual([
      'CRIT  disk:b7-srv:/srv  b7-srv /srv at 95 % (crit 90 %)    since 2026-12-07 09:10',
      'WARN  memory:b7-srv     b7-srv memory at 91 % (warn 90 %)  since 2026-12-07 09:10  silenced until 2026-12-07 11:10',
    ]);
  });

  it('speaks French', async () => {
    const { ask } = await firingSetup({ locale: 'fr' });
    const r = await ask('alerts', bob);
    expect(r.text.split('\n')[0]).toBe(
      'CRITIQUE   disk:b7-srv:/srv  b7-srv /srv à 95 % (critique 90 %)        depuis 2026-12-07 09:10',
    );
    expect((await ask('alerts silence disk:b7-srv:/srv 2h', alice)).text).toBe(
      "disk:b7-srv:/srv mise en sourdine jusqu'au 2026-12-07 11:10 (2 h) : ses messages sont retenus jusque-là.",
    );
    expect((await ask('alerts silence disk:b7-srv:/srv deux', alice)).text).toBe(
      'durée invalide « deux » : un nombre entier et une unité (90s, 15m, 2h, 7d).\nusage : alerts silence <key> <duration>',
    );
  });
});

describe('alerts silence', () => {
  it('silences a key for admins, confirms in the channel, and is audited', async () => {
    const { ask, audit, engine } = await firingSetup();
    const r = await ask('alerts silence disk:b7-srv:/srv 2h', alice);
    expect(r).toMatchObject({
      outcome: 'ok',
      replyIn: 'channel',
      text: 'disk:b7-srv:/srv silenced until 2026-12-07 11:10 (2 h): its messages are held back until then.',
    });
    expect(audit.list({ limit: 1 })[0]).toMatchObject({
      command: 'alerts silence',
      actor: 'alice@epicerieledetour.org',
      status: 'ok',
      detail: 'silenced disk:b7-srv:/srv for 2h until 2026-12-07T10:10:00.000Z',
    });
    expect(engine.eventsSince('2026-12-07T00:00:00Z').at(-1)).toMatchObject({
      event: 'silenced',
      key: 'disk:b7-srv:/srv',
      by: 'alice@epicerieledetour.org',
    });
  });

  it('asks for a confirmation on chat, and refuses non-admins', async () => {
    const { ask, engine } = await firingSetup();
    expect(await ask('alerts silence disk:b7-srv:/srv 2h', alice, { requireConfirmation: true })).toMatchObject({
      outcome: 'confirm',
    });
    expect(await ask('alerts silence disk:b7-srv:/srv 2h', bob)).toMatchObject({ outcome: 'denied' });
    expect(engine.active().every((a) => a.silencedUntil === undefined)).toBe(true);
  });

  it('names the closest keys for an unknown one, and gives the usage for a bad duration', async () => {
    const { ask, audit } = await firingSetup();
    const unknown = await ask('alerts silence disk:b7-srv:/sr 2h', alice);
    expect(unknown).toMatchObject({
      outcome: 'usage',
      text: 'unknown alert key "disk:b7-srv:/sr". Closest: disk:b7-srv:/srv.\nusage: alerts silence <key> <duration>',
    });
    expect(audit.list({ limit: 1 })[0]).toMatchObject({ status: 'usage' });
    // A key named by its last part, misspelt: the unlock target is known from the configuration.
    expect((await ask('alerts silence dataproxy 2h', alice)).text.split('\n')[0]).toBe(
      'unknown alert key "dataproxy". Closest: locked:dataproxies.',
    );
    for (const duration of ['2 hours', '0h', '1.5h', '-2h']) {
      const r = await ask(`alerts silence disk:b7-srv:/srv "${duration}"`, alice);
      expect(r).toMatchObject({
        outcome: 'usage',
        text: `invalid duration "${duration}": use a whole number and a unit (90s, 15m, 2h, 7d).\nusage: alerts silence <key> <duration>`,
      });
    }
    expect(await ask('alerts silence disk:b7-srv:/srv 60d', alice)).toMatchObject({
      outcome: 'usage',
      text: 'a silence lasts at most 30 d.\nusage: alerts silence <key> <duration>',
    });
    expect(await ask('alerts silence disk:b7-srv:/srv', alice)).toMatchObject({ outcome: 'usage' });
  });
});
