import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { generateOpenApiDocument } from '../../src/cli/openapi.ts';
import { startTestService } from '../support/test-service.ts';

test('the committed openapi.json is the document generated from the schemas (run `npm run openapi` after changing them)', async () => {
  const committed = readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8');
  assert.equal(committed, await generateOpenApiDocument());
});

test('GET /openapi.json serves it without authentication, with the IONOS operation ids', async () => {
  const svc = await startTestService();
  try {
    const res = await svc.request('GET', '/openapi.json', undefined, { authorization: '' });
    assert.equal(res.status, 200);
    const operations = Object.values(res.body.paths as Record<string, Record<string, { operationId: string }>>)
      .flatMap((methods) => Object.values(methods).map((m) => m.operationId));
    for (const id of ['wireguardgatewaysGet', 'wireguardgatewaysPost', 'wireguardgatewaysFindById', 'wireguardgatewaysPut',
      'wireguardgatewaysDelete', 'wireguardgatewaysPeersGet', 'wireguardgatewaysPeersPost', 'wireguardgatewaysPeersFindById',
      'wireguardgatewaysPeersPut', 'wireguardgatewaysPeersDelete', 'ipsecgatewaysGet', 'ipsecgatewaysPost', 'ipsecgatewaysFindById',
      'ipsecgatewaysPut', 'ipsecgatewaysDelete', 'ipsecgatewaysTunnelsGet', 'ipsecgatewaysTunnelsPost', 'ipsecgatewaysTunnelsFindById',
      'ipsecgatewaysTunnelsPut', 'ipsecgatewaysTunnelsDelete']) {
      assert.ok(operations.includes(id), `missing ${id}`);
    }
    assert.ok(res.body.paths['/wireguardgateways/{gatewayId}/peers/{peerId}']);
  } finally {
    await svc.stop();
  }
});
