import { randomBytes } from 'node:crypto';
import { buildApp } from '../api/app.ts';
import { SecretBox } from '../security/secret-box.ts';
import { AuthService } from '../service/auth-service.ts';
import { InProcessChangeFeed } from '../service/change-feed.ts';
import { DatacenterService } from '../service/datacenter-service.ts';
import { FleetService } from '../service/fleet-service.ts';
import { UserService } from '../service/user-service.ts';
import { VpnService } from '../service/vpn-service.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';

/** The OpenAPI document generated from the route schemas, as stable pretty-printed JSON. */
export async function generateOpenApiDocument(): Promise<string> {
  const store = await openSqliteStore(':memory:');
  try {
    const key = randomBytes(32);
    const app = await buildApp({
      vpn: new VpnService({ store, secretBox: new SecretBox(key), onChange: () => undefined }),
      auth: new AuthService({ store, signingKey: key }),
      users: new UserService(store),
      datacenters: new DatacenterService(store),
      fleet: new FleetService({ hosts: store.hosts, store, secretBox: new SecretBox(key), feed: new InProcessChangeFeed() }),
      store,
      rateLimitPerMinute: 0,
      logger: false,
      location: 'de-fra',
    });
    const document = JSON.stringify(app.swagger(), null, 2);
    await app.close();
    return `${document}\n`;
  } finally {
    await store.close();
  }
}

/** `vpngw openapi`: prints the document (the committed openapi.json is this output). */
export async function printOpenApi(): Promise<number> {
  process.stdout.write(await generateOpenApiDocument());
  return 0;
}
