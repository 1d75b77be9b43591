import assert from 'node:assert/strict';
import type { TestService } from './test-service.ts';

/** A gateway host enrolled with a fresh token and its inventory sent: its id and its agent's Authorization header. */
export async function enrollHost(svc: TestService, name: string, addresses: string[]): Promise<{ hostId: string; agent: { authorization: string } }> {
  const token = (await svc.request('POST', '/fleet/v1/enrollment-tokens', {})).body.token as string;
  const enrolled = await svc.request('POST', '/agent/v1/enroll', { token, name, version: '0.1.0' }, { authorization: '' });
  assert.equal(enrolled.status, 201, enrolled.text);
  const agent = { authorization: `Bearer ${enrolled.body.credential as string}` };
  const inventory = await svc.request('PUT', '/agent/v1/inventory', { addresses, delegatedBlocks: [], lans: [], version: '0.1.0' }, agent);
  assert.equal(inventory.status, 200, inventory.text);
  return { hostId: enrolled.body.hostId as string, agent };
}
