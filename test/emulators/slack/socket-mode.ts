/**
 * Socket Mode server side (docs.slack.dev/apis/events-api/using-socket-mode): the app connects to
 * the URL apps.connections.open gave it (one ticket, one connection); Slack greets with
 * `{type:"hello", num_connections, debug_info:{host, build_number, approximate_connection_time},
 * connection_info:{app_id}}` (same page; slack-go/slack socketmode test fixtures hold a recorded
 * one), sends envelopes `{envelope_id, type, accepts_response_payload, payload}`, expects acks
 * `{envelope_id, payload?}`, pings, and may send `{type:"disconnect", reason}` before recycling.
 */

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { EmulatorState } from './state.js';

export interface Delivery {
  acked: boolean;
  payload?: unknown;
  ackMs: number;
}

export class SocketHub {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();
  private readonly pending = new Map<string, (payload: unknown) => void>();
  private readonly waiters: (() => void)[] = [];
  private readonly timer: NodeJS.Timeout;
  /** The TCP side of each connection, for freeze(). */
  private readonly raw = new Map<WebSocket, Duplex>();
  private frozen = false;
  /** Every connection the app opened, reconnections included. */
  connectionsOpened = 0;
  /** Every frame the app sent, for assertions. */
  readonly received: unknown[] = [];

  constructor(
    private readonly state: EmulatorState,
    pingIntervalMs: number,
  ) {
    this.timer = setInterval(() => {
      if (this.frozen) return;
      for (const s of this.sockets) if (s.readyState === WebSocket.OPEN) s.ping();
    }, pingIntervalMs);
    this.timer.unref();
  }

  get connected(): boolean {
    return [...this.sockets].some((s) => s.readyState === WebSocket.OPEN);
  }

  /** Takes over an HTTP upgrade for /link/; false when the path is not ours. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/link/') return false;
    const ticket = url.searchParams.get('ticket') ?? '';
    if (!this.state.socketTickets.delete(ticket) || this.state.inOutage()) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.raw.set(ws, socket);
      this.accept(ws);
    });
    return true;
  }

  private accept(ws: WebSocket): void {
    this.sockets.add(ws);
    this.connectionsOpened += 1;
    ws.on('close', () => {
      this.sockets.delete(ws);
      this.raw.delete(ws);
    });
    ws.on('message', (data) => {
      let frame: unknown;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return;
      }
      this.received.push(frame);
      const id = (frame as { envelope_id?: unknown }).envelope_id;
      const resolve = typeof id === 'string' ? this.pending.get(id) : undefined;
      if (resolve) {
        this.pending.delete(id as string);
        resolve((frame as { payload?: unknown }).payload);
      }
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.size,
        debug_info: { host: 'applink-emulator-1', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.state.appId },
      }),
    );
    for (const w of this.waiters.splice(0)) w();
  }

  waitForConnection(timeoutMs = 5000): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no Socket Mode connection')), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Sends an envelope on the newest open connection and waits for its ack. */
  deliver(type: string, payload: unknown, acceptsResponsePayload: boolean, timeoutMs: number): Promise<Delivery> {
    const ws = [...this.sockets].reverse().find((s) => s.readyState === WebSocket.OPEN);
    if (!ws) throw new Error('the app has no open Socket Mode connection');
    const envelope_id = randomUUID();
    const started = performance.now();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelope_id);
        resolve({ acked: false, ackMs: performance.now() - started });
      }, timeoutMs);
      this.pending.set(envelope_id, (ackPayload) => {
        clearTimeout(timer);
        resolve({ acked: true, payload: ackPayload, ackMs: performance.now() - started });
      });
      ws.send(JSON.stringify({ envelope_id, type, accepts_response_payload: acceptsResponsePayload, payload }));
    });
  }

  /** Asks every connection to go away (the app should reconnect through apps.connections.open). */
  disconnect(reason = 'refresh_requested'): void {
    for (const s of this.sockets)
      if (s.readyState === WebSocket.OPEN)
        s.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-emulator-1' } }));
  }

  /** Drops every connection without a word, as a network failure would. */
  drop(): void {
    for (const s of this.sockets) s.terminate();
  }

  /**
   * Goes silent on every connection, as a link whose packets vanish: nothing more is read (so a
   * close frame from the app is never answered) or sent, yet the TCP connections stay open.
   */
  freeze(): void {
    this.frozen = true;
    for (const socket of this.raw.values()) socket.pause();
  }

  close(): void {
    clearInterval(this.timer);
    this.drop();
    this.wss.close();
  }
}
