/**
 * A gateway host that has stopped calling in: what is known is when it was last heard from, not
 * whether its tunnels are down, so its gateways keep the status its agent last reported and carry
 * this message until the host calls in again.
 */

export function silentHostMessage(hostName: string, lastContact: string): string {
  return `gateway host ${hostName} has not been heard from since ${lastContact}; its tunnels may still be up`;
}

/** A LIKE pattern matching every silent-host message (and no message an agent reports of its data plane). */
export const SILENT_HOST_PATTERN = 'gateway host % has not been heard from since %; its tunnels may still be up';

/** Whether a host last in contact at `lastContact` has been silent longer than `timeoutMs` at `now`. */
export function isSilent(lastContact: string, now: Date, timeoutMs: number): boolean {
  return Date.parse(lastContact) < now.getTime() - timeoutMs;
}
