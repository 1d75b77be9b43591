/** The fixed parts of the generated OpenAPI document. */
export const openApiInfo = {
  openapi: '3.0.3',
  info: {
    title: 'VPN Gateways (vpngw)',
    version: '1.0.0',
    description: 'The IONOS Cloud VPN Gateway API: WireGuard gateways and peers, IPSec gateways and tunnels.',
  },
  components: {
    securitySchemes: {
      tokenAuth: { type: 'http' as const, scheme: 'bearer', bearerFormat: 'JWT' },
      basicAuth: { type: 'http' as const, scheme: 'basic' },
      agentAuth: { type: 'http' as const, scheme: 'bearer', description: 'A gateway host\'s credential (vpngw-agent.<...>), from POST /agent/v1/enroll.' },
    },
  },
};
