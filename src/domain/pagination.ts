import { badRequest } from './errors.ts';

export interface Page {
  offset: number;
  limit: number;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

function integerParam(name: string, raw: unknown, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const text = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (typeof text !== 'string' || !/^-?[0-9]+$/.test(text.trim())) {
    throw badRequest(`Query parameter ${name} must be an integer.`, 'INVALID_PAGINATION');
  }
  const value = Number(text);
  if (value < min || value > max) {
    throw badRequest(`Query parameter ${name} must be between ${min} and ${max}.`, 'INVALID_PAGINATION');
  }
  return value;
}

/** offset/limit from a query string: defaults 0 and 100; anything else but an in-range integer is 400. */
export function parsePage(query: { offset?: unknown; limit?: unknown }): Page {
  return {
    offset: integerParam('offset', query.offset, 0, 0, Number.MAX_SAFE_INTEGER),
    limit: integerParam('limit', query.limit, DEFAULT_LIMIT, 1, MAX_LIMIT),
  };
}

/** The collection links: self always, prev when offset > 0, next when more items follow. */
export function pageLinks(page: Page, total: number, urlFor: (p: Page) => string) {
  const links: { prev?: string; self: string; next?: string } = { self: urlFor(page) };
  if (page.offset > 0) links.prev = urlFor({ offset: Math.max(0, page.offset - page.limit), limit: page.limit });
  if (page.offset + page.limit < total) links.next = urlFor({ offset: page.offset + page.limit, limit: page.limit });
  return links;
}
