import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { Reconciler } from '../../src/agent/reconciler.ts';
import { RemoteDesiredStateSource } from '../../src/agent/remote/remote-desired-state-source.ts';
import type { DesiredGateway } from '../../src/domain/desired-state.ts';
import { FakeDriver } from '../support/fake-driver.ts';

const ID = (n: number) => `00000000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`;
const gateway = (n: number): DesiredGateway => ({
  kind: 'wireguard', id: ID(n), generation: 1, gatewayIP: `192.0.2.${n}`, listenPort: 51820, privateKey: 'k', connections: [], peers: [],
});

/** A fake driver whose gateway 1 hangs until released, and which counts how many applies ran at once. */
class FakeSlowDriver extends FakeDriver {
  running = 0;
  mostAtOnce = 0;
  release: () => void = () => undefined;
  private readonly slow = new Promise<void>((resolve) => (this.release = resolve));

  constructor(readonly parallelApplies: number | undefined) {
    super();
  }

  override async apply(desired: DesiredGateway): Promise<void> {
    this.running += 1;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
    try {
      if (desired.id === ID(1)) await this.slow;
      else await new Promise((resolve) => setTimeout(resolve, 5));
      await super.apply(desired);
    } finally {
      this.running -= 1;
    }
  }
}

test('a pass applies as many gateways at once as the driver takes, so one slow gateway holds up no other', async () => {
  const source = new RemoteDesiredStateSource();
  const driver = new FakeSlowDriver(4);
  const reconciler = new Reconciler({ source, driver, logger: pino({ level: 'silent' }), intervalMs: 60_000 });
  source.replaceAll(Array.from({ length: 12 }, (_, i) => gateway(i + 1)));
  const pass = reconciler.runPass({ full: true });
  const deadline = Date.now() + 5_000;
  while (source.pendingReports().length < 11 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(source.pendingReports().map((r) => r.id).sort(), Array.from({ length: 11 }, (_, i) => ID(i + 2)), 'all but the slow one are done while it hangs');
  driver.release();
  assert.deepEqual(await pass, { applied: 12, failed: 0, removed: 0 });
  assert.equal(driver.mostAtOnce, 4, 'never more than the driver takes');
});

test('a driver that declares nothing is applied one gateway at a time', async () => {
  const source = new RemoteDesiredStateSource();
  const driver = new FakeSlowDriver(undefined);
  driver.release();
  const reconciler = new Reconciler({ source, driver, logger: pino({ level: 'silent' }), intervalMs: 60_000 });
  source.replaceAll(Array.from({ length: 5 }, (_, i) => gateway(i + 1)));
  assert.deepEqual(await reconciler.runPass({ full: true }), { applied: 5, failed: 0, removed: 0 });
  assert.equal(driver.mostAtOnce, 1);
});
