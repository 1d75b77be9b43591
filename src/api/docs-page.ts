import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export const DOCS_PREFIX = '/docs';

/**
 * GET /docs: interactive API documentation (Swagger UI) over the same document as /openapi.json.
 * Every asset is served from the installed package, so the page works on a host without internet.
 */
export async function installDocsPage(app: FastifyInstance): Promise<void> {
  // The page and its assets are public like /openapi.json; trying an operation still needs credentials.
  app.addHook('onRoute', (route) => {
    if (route.url === DOCS_PREFIX || route.url.startsWith(`${DOCS_PREFIX}/`)) route.config = { ...route.config, public: true };
  });
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    staticCSP: true,
    // No online validator, and no upgrade to https: the page is often reached over plain http on a LAN.
    transformStaticCSP: (header: string) => header.replace(' validator.swagger.io', '').replace(/\s*upgrade-insecure-requests;/, ''),
    uiConfig: {
      // Swagger UI would otherwise send the document to an online validator and show its badge.
      validatorUrl: null,
      // Operators map what they see here to the SDKs' method names, which follow the operation ids.
      displayOperationId: true,
      docExpansion: 'list',
      deepLinking: true,
    },
  });
}
