import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { InProcessChangeFeed, type ChangeFeed } from '../service/change-feed.ts';

/** The channel every API server of one database listens on; a notification carries only its sender's id. */
export const FLEET_CHANGES_CHANNEL = 'vpngw_fleet_changes';

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;

/**
 * The change feed of many API servers sharing one PostgreSQL: notify() wakes this process's watches
 * and tells the other servers through NOTIFY; their notifications wake the watches held here. One
 * dedicated connection LISTENs and sends. When it is lost, it is opened again (with backoff) and
 * every watch is woken once, since notifications sent meanwhile are gone: a watch reads what changed
 * from the store, so an extra wake-up costs one query and a missed one is made good.
 */
export class PostgresChangeFeed implements ChangeFeed {
  private readonly local = new InProcessChangeFeed();
  private readonly sender = randomUUID();
  private client: pg.Client | undefined;
  private closed = false;
  private retryMs = RECONNECT_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly url: string, private readonly logger: Logger) {}

  /** Connects and listens; resolves once listening, or after the first failure (then retries in the background). */
  async start(): Promise<void> {
    await this.connect();
  }

  get waiting() {
    return this.local.waiting;
  }

  /** Whether notifications of other servers reach this one now. */
  get listening() {
    return this.client !== undefined;
  }

  notify() {
    this.local.notify();
    this.client?.query('SELECT pg_notify($1, $2)', [FLEET_CHANGES_CHANNEL, this.sender]).catch((error: unknown) => {
      // The connection's own error handler reconnects; the other servers' watches still see the change when their wait ends.
      this.logger.warn({ err: error }, 'could not tell the other API servers about a change');
    });
  }

  next(ms: number, signal?: AbortSignal): Promise<boolean> {
    return this.local.next(ms, signal);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'vpngw-change-feed' });
    client.on('notification', (message) => {
      if (message.channel === FLEET_CHANGES_CHANNEL && message.payload !== this.sender) this.local.notify();
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${FLEET_CHANGES_CHANNEL}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    const reconnected = this.retryMs > RECONNECT_MIN_MS;
    this.client = client;
    this.retryMs = RECONNECT_MIN_MS;
    if (reconnected) {
      this.logger.info('listening for other API servers\' changes again');
      this.local.notify();
    }
  }

  private lost(client: pg.Client, error?: unknown) {
    if (client !== this.client && this.client !== undefined) return;
    if (this.client === client) this.client = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.closed || this.retryTimer) return;
    this.logger.warn({ err: error, retryMs: this.retryMs }, 'lost the connection that listens for other API servers\' changes; reconnecting');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
  }
}
