import { createHash } from 'node:crypto';
import type { DatacenterRecord } from '../store/store.ts';
import type { LanView } from '../service/datacenter-service.ts';
import type { PresentContext } from './present.ts';

const CLOUD = 'cloudapi/v6';
/** Datacenters and LANs are the operator's: no user of a contract created them. */
const OPERATOR = 'vpngw';

export const datacentersPath = () => `${CLOUD}/datacenters`;
export const lansPath = (datacenterId: string) => `${CLOUD}/datacenters/${datacenterId}/lans`;

function metadata(id: string, createdDate: string, lastModifiedDate: string) {
  return {
    etag: createHash('md5').update(`${id}|${lastModifiedDate}`).digest('hex'),
    createdDate, createdBy: OPERATOR, createdByUserId: OPERATOR,
    lastModifiedDate, lastModifiedBy: OPERATOR, lastModifiedByUserId: OPERATOR,
    state: 'AVAILABLE' as const,
  };
}

/** The Cloud API spells locations with a slash (de/fra); the VPN API's own location uses a dash (de-fra). */
const cloudLocation = (location: string) => location.replace('-', '/');

export function presentDatacenter(ctx: PresentContext, d: DatacenterRecord) {
  return {
    id: d.id,
    type: 'datacenter' as const,
    href: `${ctx.baseUrl}/${datacentersPath()}/${d.id}`,
    metadata: metadata(d.id, d.createdDate, d.lastModifiedDate),
    properties: {
      name: d.name,
      location: d.location || cloudLocation(ctx.location),
      version: 1,
      features: [],
      secAuthProtection: false,
      cpuArchitecture: [],
      ipv6CidrBlock: null,
    },
  };
}

/** A LAN as a tenant sees it: the host interface it is bound to stays out. */
export function presentLan(ctx: PresentContext, { datacenter, lan }: LanView) {
  return {
    id: lan.lanId,
    type: 'lan' as const,
    href: `${ctx.baseUrl}/${lansPath(datacenter.id)}/${lan.lanId}`,
    metadata: metadata(`${datacenter.id}/${lan.lanId}`, lan.createdDate, lan.lastModifiedDate),
    properties: { name: lan.name, public: false, ipFailover: [], ipv6CidrBlock: null },
  };
}
