import type { Registry } from 'prom-client';
import type { Route } from './server.js';

type Labels<N extends string> = Readonly<Record<N, string>>;

/**
 * The bot's Prometheus metrics (GET /metrics). One set per bot, so tests can
 * run several bots in one process without sharing counters.
 *
 * The bot's own counters, gauge and histograms are the few lines below, in
 * the text format Prometheus reads; prom-client (and the OpenTelemetry API it
 * pulls in, ~90 modules) only adds the process metrics (CPU, memory, event
 * loop, GC), and is loaded on the first scrape: a bot nobody scrapes keeps
 * that memory. Those process metrics start counting at that first scrape.
 */
export class Metrics {
  readonly commands = new Counter('detour_commands_total', 'Commands handled, by command name and outcome.', [
    'command',
    'outcome',
    'platform',
  ]);
  readonly ackSeconds = new Histogram(
    'detour_ack_seconds',
    'Time from receiving a chat request to acknowledging it.',
    ['platform'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  );
  readonly resultSeconds = new Histogram(
    'detour_result_seconds',
    'Time from receiving a chat request to posting its result.',
    ['platform', 'command'],
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  );
  readonly chatApiCalls = new Counter(
    'detour_chat_api_calls_total',
    'Calls to the chat platforms’ APIs, by platform, method and outcome.',
    ['platform', 'method', 'outcome'],
  );
  readonly deliveryQueueDepth = new Gauge(
    'detour_delivery_queue_depth',
    'Messages waiting to be delivered, by platform.',
    ['platform'],
  );
  readonly rejectedRequests = new Counter(
    'detour_rejected_requests_total',
    'Inbound requests refused before reaching a command (bad signature or token, stale, malformed).',
    ['platform', 'reason'],
  );
  readonly backupPings = new Counter(
    'detour_backup_pings_total',
    'Authenticated backup check pings, by kind (start, success, fail) and whether the event was stored (rate limit).',
    ['kind', 'stored'],
  );
  #processMetrics: Promise<Registry> | undefined;

  /** Every metric, in the Prometheus text format. */
  async text(): Promise<string> {
    this.#processMetrics ??= import('prom-client').then(({ Registry, collectDefaultMetrics }) => {
      const registry = new Registry();
      collectDefaultMetrics({ register: registry });
      return registry;
    });
    const own = [
      this.commands,
      this.ackSeconds,
      this.resultSeconds,
      this.chatApiCalls,
      this.deliveryQueueDepth,
      this.rejectedRequests,
      this.backupPings,
    ];
    return own.map((metric) => metric.text()).join('') + (await (await this.#processMetrics).metrics());
  }

  route(): Route {
    return async (_req, res) => {
      const body = await this.text();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(body);
    };
  }
}

/** A monotonic count per label set. */
export class Counter<N extends string> {
  readonly #values = new Map<string, number>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly N[],
  ) {}

  inc(labels: Labels<N>, by = 1): void {
    const key = labelPairs(this.labelNames, labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + by);
  }

  text(): string {
    return header(this.name, this.help, 'counter') + lines(this.name, this.#values);
  }
}

/** A value per label set that goes up and down. */
export class Gauge<N extends string> {
  readonly #values = new Map<string, number>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly N[],
  ) {}

  set(labels: Labels<N>, value: number): void {
    this.#values.set(labelPairs(this.labelNames, labels), value);
  }

  text(): string {
    return header(this.name, this.help, 'gauge') + lines(this.name, this.#values);
  }
}

/** Observations counted in fixed buckets, with their sum and count, per label set. */
export class Histogram<N extends string> {
  readonly #series = new Map<string, { inBucket: number[]; sum: number; count: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly N[],
    readonly buckets: readonly number[],
  ) {}

  observe(labels: Labels<N>, value: number): void {
    const key = labelPairs(this.labelNames, labels);
    let series = this.#series.get(key);
    if (!series) {
      // One slot per bucket and one for +Inf.
      series = { inBucket: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    const at = this.buckets.findIndex((bound) => value <= bound);
    (series.inBucket[at === -1 ? this.buckets.length : at] as number)++;
    series.sum += value;
    series.count++;
  }

  text(): string {
    let out = header(this.name, this.help, 'histogram');
    for (const [pairs, { inBucket, sum, count }] of this.#series) {
      let cumulative = 0;
      const bounds = [...this.buckets.map(String), '+Inf'];
      for (const [i, bound] of bounds.entries()) {
        cumulative += inBucket[i] as number;
        out += `${this.name}_bucket${braces(pairs, `le="${bound}"`)} ${cumulative}\n`;
      }
      out += `${this.name}_sum${braces(pairs)} ${sum}\n${this.name}_count${braces(pairs)} ${count}\n`;
    }
    return out;
  }
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}\n`;
}

function lines(name: string, values: Map<string, number>): string {
  let out = '';
  for (const [pairs, value] of values) out += `${name}${braces(pairs)} ${value}\n`;
  return out;
}

/** `a="x",b="y"`, in the declared order: also the key of the series. */
function labelPairs<N extends string>(names: readonly N[], labels: Labels<N>): string {
  const quoted = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return names.map((name) => `${name}="${quoted(String(labels[name]))}"`).join(',');
}

function braces(...pairs: string[]): string {
  const inner = pairs.filter((p) => p !== '').join(',');
  return inner === '' ? '' : `{${inner}}`;
}
