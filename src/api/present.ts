import { childStatus } from '../domain/child-status.ts';
import { pageLinks, type Page } from '../domain/pagination.ts';
import type { ChildRecord, GatewayRecord, Listing, Stamp } from '../store/store.ts';

/** Where the server is reached and which location it serves: the parts of every href and URN. */
export interface PresentContext {
  baseUrl: string;
  location: string;
}

function stampFields(created: Stamp, modified: Stamp) {
  return {
    createdDate: created.date,
    createdBy: created.by,
    createdByUserId: created.byUserId,
    lastModifiedDate: modified.date,
    lastModifiedBy: modified.by,
    lastModifiedByUserId: modified.byUserId,
  };
}

const urn = (ctx: PresentContext, contractNumber: number, path: string) => `ionos:vpn:${ctx.location}:${contractNumber}:${path}`;

export function presentGateway(ctx: PresentContext, type: string, collectionPath: string, g: GatewayRecord) {
  const path = `${collectionPath}/${g.id}`;
  return {
    id: g.id,
    type,
    href: `${ctx.baseUrl}/${path}`,
    metadata: {
      ...stampFields(g.created, g.modified),
      resourceURN: urn(ctx, g.contractNumber, path),
      status: g.status,
      ...(g.statusMessage ? { statusMessage: g.statusMessage } : {}),
      ...(g.publicKey ? { publicKey: g.publicKey } : {}),
    },
    properties: g.properties,
  };
}

export function presentChild(ctx: PresentContext, type: string, collectionPath: string, child: ChildRecord, gateway: GatewayRecord) {
  const path = `${collectionPath}/${child.id}`;
  return {
    id: child.id,
    type,
    href: `${ctx.baseUrl}/${path}`,
    metadata: {
      ...stampFields(child.created, child.modified),
      resourceURN: urn(ctx, gateway.contractNumber, path),
      ...childStatus(child, gateway),
    },
    properties: child.properties,
  };
}

export function presentCollection<T, R>(baseUrl: string, collectionPath: string, page: Page, listing: Listing<T>, present: (item: T) => R) {
  const href = `${baseUrl}/${collectionPath}`;
  return {
    id: collectionPath.split('/').pop() ?? collectionPath,
    type: 'collection' as const,
    href,
    items: listing.items.map(present),
    offset: page.offset,
    limit: page.limit,
    _links: pageLinks(page, listing.total, (p) => `${href}?offset=${p.offset}&limit=${p.limit}`),
  };
}
