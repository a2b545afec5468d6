import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/http/metrics.js';

describe('Metrics', () => {
  it('writes counters, gauges and cumulative histogram buckets in the Prometheus text format', async () => {
    const metrics = new Metrics();
    metrics.commands.inc({ command: 'help', outcome: 'ok', platform: 'slack' });
    metrics.commands.inc({ command: 'help', outcome: 'ok', platform: 'slack' });
    metrics.deliveryQueueDepth.set({ platform: 'mattermost' }, 3);
    metrics.deliveryQueueDepth.set({ platform: 'mattermost' }, 1);
    for (const seconds of [0.001, 0.02, 0.02, 7]) metrics.ackSeconds.observe({ platform: 'slack' }, seconds);
    const text = await metrics.text();
    expect(text).toContain('# TYPE detour_commands_total counter\n');
    expect(text).toContain('detour_commands_total{command="help",outcome="ok",platform="slack"} 2\n');
    expect(text).toContain('detour_delivery_queue_depth{platform="mattermost"} 1\n');
    expect(text).toContain('detour_ack_seconds_bucket{platform="slack",le="0.005"} 1\n');
    expect(text).toContain('detour_ack_seconds_bucket{platform="slack",le="0.025"} 3\n');
    expect(text).toContain('detour_ack_seconds_bucket{platform="slack",le="2.5"} 3\n');
    expect(text).toContain('detour_ack_seconds_bucket{platform="slack",le="+Inf"} 4\n');
    expect(text).toContain('detour_ack_seconds_count{platform="slack"} 4\n');
    expect(text).toMatch(/^detour_ack_seconds_sum\{platform="slack"\} 7\.04\d*\n/m);
    // The process metrics, from prom-client, loaded by this first scrape.
    expect(text).toContain('# TYPE process_resident_memory_bytes gauge');
  });

  it('escapes label values and keeps each bot’s counts its own', async () => {
    const one = new Metrics();
    const other = new Metrics();
    one.rejectedRequests.inc({ platform: 'slack', reason: 'a "quoted"\\odd\nreason' });
    expect(await one.text()).toContain(
      'detour_rejected_requests_total{platform="slack",reason="a \\"quoted\\"\\\\odd\\nreason"} 1\n',
    );
    expect(await other.text()).not.toContain('detour_rejected_requests_total{');
  });
});
