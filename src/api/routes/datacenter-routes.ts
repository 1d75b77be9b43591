import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isLanId } from '../../domain/datacenters.ts';
import { badRequest } from '../../domain/errors.ts';
import { parsePage } from '../../domain/pagination.ts';
import { PaginationQuery } from '../../schemas/common.ts';
import { DatacenterCollection, DatacenterRead, LanCollection, LanRead } from '../../schemas/datacenters.ts';
import type { DatacenterService } from '../../service/datacenter-service.ts';
import { datacentersPath, lansPath, presentDatacenter, presentLan } from '../present-datacenters.ts';
import { presentCollection, type PresentContext } from '../present.ts';
import { pathId, principalOf } from './request-helpers.ts';
import { errorResponses, operation } from './route-schema.ts';

const errors = errorResponses(400, 401, 403, 404, 429, 500, 503);
/** Reading LANs is for those who may attach gateways to them: the VPN privilege, as the VPN routes. */
const vpnRoute = { config: { vpn: true } };

/** A LAN id path parameter: a string of digits, else 400 naming it. */
function pathLanId(request: FastifyRequest): string {
  const id = (request.params as Record<string, string | undefined>).lanId ?? '';
  if (!isLanId(id)) throw badRequest('The path parameter lanId must be a string of digits.', 'INVALID_ID');
  return id;
}

/** The Cloud API v6 datacenter and LAN reads: the caller's contract's only. */
export function registerDatacenterRoutes(app: FastifyInstance, datacenters: DatacenterService, presentContext: (r: FastifyRequest) => PresentContext) {
  const base = `/${datacentersPath()}`;

  app.get(base, { ...vpnRoute, schema: operation('datacentersGet', 'Data centers', { querystring: PaginationQuery, response: { 200: DatacenterCollection, ...errors } }) }, async (request) => {
    const ctx = presentContext(request);
    const page = parsePage(request.query as Record<string, unknown>);
    const listing = await datacenters.listDatacenters(principalOf(request), page);
    return presentCollection(ctx.baseUrl, datacentersPath(), page, listing, (d) => presentDatacenter(ctx, d));
  });

  app.get(`${base}/:datacenterId`, { ...vpnRoute, schema: operation('datacentersFindById', 'Data centers', { response: { 200: DatacenterRead, ...errors } }) }, async (request) =>
    presentDatacenter(presentContext(request), await datacenters.getDatacenter(principalOf(request), pathId(request, 'datacenterId'))));

  app.get(`${base}/:datacenterId/lans`, { ...vpnRoute, schema: operation('datacentersLansGet', 'LANs', { querystring: PaginationQuery, response: { 200: LanCollection, ...errors } }) }, async (request) => {
    const ctx = presentContext(request);
    const page = parsePage(request.query as Record<string, unknown>);
    const { datacenter, listing } = await datacenters.listLans(principalOf(request), pathId(request, 'datacenterId'), page);
    return presentCollection(ctx.baseUrl, lansPath(datacenter.id), page, listing, (lan) => presentLan(ctx, { datacenter, lan }));
  });

  app.get(`${base}/:datacenterId/lans/:lanId`, { ...vpnRoute, schema: operation('datacentersLansFindById', 'LANs', { response: { 200: LanRead, ...errors } }) }, async (request) =>
    presentLan(presentContext(request), await datacenters.getLan(principalOf(request), pathId(request, 'datacenterId'), pathLanId(request))));
}
