import { api, ApiFailure } from './api.ts';
import type { IpsecLive, WireguardLive } from './types.ts';

/** The live sessions, or null when this data plane reports none (the files driver answers 501). */
export async function liveState<T extends WireguardLive | IpsecLive>(collection: 'wireguardgateways' | 'ipsecgateways', id: string): Promise<T | null> {
  try {
    return await api<T>('GET', `/${collection}/${encodeURIComponent(id)}/status`);
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 501) return null;
    throw error;
  }
}
