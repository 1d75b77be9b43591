import { createHash } from 'node:crypto';
import { DayValues, type MaintenanceWindow, type Tier } from '../schemas/common.ts';
import type { Security } from '../schemas/ipsec.ts';

export const DEFAULT_LISTEN_PORT = 51820;
export const DEFAULT_PEER_PORT = 51820;
export const DEFAULT_TIER: Tier = 'STANDARD';
export const MAX_PEERS_PER_GATEWAY = 20;
export const MAX_TUNNELS_PER_GATEWAY = 20;

export const DEFAULT_IKE: Security = {
  diffieHellmanGroup: '16-MODP4096',
  encryptionAlgorithm: 'AES256',
  integrityAlgorithm: 'SHA256',
  lifetime: 86400,
};
export const DEFAULT_ESP: Security = { ...DEFAULT_IKE, lifetime: 3600 };

/**
 * The window the server assigns when a client gives none: spread over the week by the gateway id,
 * stable for a gateway (a PUT without a window keeps getting the same one), always on the hour at night.
 */
export function assignedMaintenanceWindow(gatewayId: string): MaintenanceWindow {
  const digest = createHash('sha256').update(gatewayId).digest();
  const day = DayValues[(digest[0] ?? 0) % 7] ?? 'Sunday';
  const hour = (digest[1] ?? 0) % 6; // 00:00 to 05:00 UTC
  return { time: `0${hour}:00:00`, dayOfTheWeek: day };
}
