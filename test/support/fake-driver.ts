import { DataPlaneError, type DataPlaneDriver, type GatewayRef } from '../../src/agent/driver.ts';
import type { DesiredGateway } from '../../src/domain/desired-state.ts';

/** A fake data plane for API tests: remembers what it was given and fails on request. */
export class FakeDriver implements DataPlaneDriver {
  readonly name = 'fake';
  readonly applied = new Map<string, DesiredGateway>();
  /** gateway id → statusMessage to fail with */
  readonly failures = new Map<string, string>();
  /** When set, apply waits for this promise (to observe PROVISIONING). */
  gate: Promise<void> | undefined;

  async apply(desired: DesiredGateway): Promise<void> {
    await this.gate;
    const failure = this.failures.get(desired.id);
    if (failure) throw new DataPlaneError(failure);
    this.applied.set(desired.id, desired);
  }

  async remove(ref: GatewayRef): Promise<void> {
    await this.gate;
    this.applied.delete(ref.id);
  }

  async listApplied(): Promise<GatewayRef[]> {
    return [...this.applied.values()].map((d) => ({ kind: d.kind, id: d.id }));
  }

  /** Counted, so a test can see that every full pass sweeps. */
  sweeps = 0;

  async sweepInterruptedWrites(): Promise<void> {
    this.sweeps += 1;
  }
}
