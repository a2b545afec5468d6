import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Route } from './server.js';

/**
 * The bot's Prometheus metrics (GET /metrics). One registry per bot, so tests
 * can run several bots in one process without sharing counters.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly commands = new Counter({
    name: 'detour_commands_total',
    help: 'Commands handled, by command name and outcome.',
    labelNames: ['command', 'outcome', 'platform'] as const,
    registers: [this.registry],
  });
  readonly ackSeconds = new Histogram({
    name: 'detour_ack_seconds',
    help: 'Time from receiving a chat request to acknowledging it.',
    labelNames: ['platform'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly resultSeconds = new Histogram({
    name: 'detour_result_seconds',
    help: 'Time from receiving a chat request to posting its result.',
    labelNames: ['platform', 'command'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly chatApiCalls = new Counter({
    name: 'detour_chat_api_calls_total',
    help: 'Calls to the chat platforms’ APIs, by platform, method and outcome.',
    labelNames: ['platform', 'method', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly deliveryQueueDepth = new Gauge({
    name: 'detour_delivery_queue_depth',
    help: 'Messages waiting to be delivered, by platform.',
    labelNames: ['platform'] as const,
    registers: [this.registry],
  });
  readonly rejectedRequests = new Counter({
    name: 'detour_rejected_requests_total',
    help: 'Inbound requests refused before reaching a command (bad signature or token, stale, malformed).',
    labelNames: ['platform', 'reason'] as const,
    registers: [this.registry],
  });

  readonly backupPings = new Counter({
    name: 'detour_backup_pings_total',
    help: 'Authenticated backup check pings, by kind (start, success, fail) and whether the event was stored (rate limit).',
    labelNames: ['kind', 'stored'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  route(): Route {
    return async (_req, res) => {
      const body = await this.registry.metrics();
      res.writeHead(200, { 'content-type': this.registry.contentType });
      res.end(body);
    };
  }
}
