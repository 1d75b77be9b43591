import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../../src/domain/errors.ts';
import { DEFAULT_LIMIT, MAX_LIMIT, pageLinks, parsePage } from '../../src/domain/pagination.ts';

const refused = (query: Record<string, unknown>, name: string) =>
  assert.throws(() => parsePage(query), (e: unknown) =>
    e instanceof ApiError && e.httpStatus === 400 && e.errorCode === 'INVALID_PAGINATION' && e.message.includes(name));

describe('parsePage', () => {
  test('defaults to offset 0 and limit 100, also for empty values', () => {
    assert.deepEqual(parsePage({}), { offset: 0, limit: 100 });
    assert.deepEqual(parsePage({ offset: '', limit: '' }), { offset: 0, limit: DEFAULT_LIMIT });
  });

  test('reads in-range integers, with the bounds included', () => {
    assert.deepEqual(parsePage({ offset: '0', limit: '1' }), { offset: 0, limit: 1 });
    assert.deepEqual(parsePage({ offset: '250', limit: String(MAX_LIMIT) }), { offset: 250, limit: 1000 });
  });

  test('a repeated parameter counts with its last value', () => {
    assert.deepEqual(parsePage({ offset: ['5', '10'], limit: ['1', '3'] }), { offset: 10, limit: 3 });
  });

  test('refuses out-of-range values and anything that is not an integer, naming the parameter', () => {
    refused({ offset: '-1' }, 'offset');
    refused({ limit: '0' }, 'limit');
    refused({ limit: '1001' }, 'limit');
    refused({ limit: 'abc' }, 'limit');
    refused({ offset: '1.5' }, 'offset');
    refused({ offset: '1e3' }, 'offset');
    refused({ offset: '0x10' }, 'offset');
    refused({ limit: 5 }, 'limit');
    refused({ offset: '99999999999999999999' }, 'offset');
  });
});

describe('pageLinks', () => {
  const url = (p: { offset: number; limit: number }) => `/c?offset=${p.offset}&limit=${p.limit}`;

  test('self only when the page is the whole collection', () => {
    assert.deepEqual(pageLinks({ offset: 0, limit: 10 }, 10, url), { self: '/c?offset=0&limit=10' });
    assert.deepEqual(pageLinks({ offset: 0, limit: 10 }, 0, url), { self: '/c?offset=0&limit=10' });
  });

  test('next while offset + limit < total, prev when offset > 0 (never below 0)', () => {
    assert.deepEqual(pageLinks({ offset: 0, limit: 3 }, 7, url), { self: '/c?offset=0&limit=3', next: '/c?offset=3&limit=3' });
    assert.deepEqual(pageLinks({ offset: 3, limit: 3 }, 7, url), {
      prev: '/c?offset=0&limit=3', self: '/c?offset=3&limit=3', next: '/c?offset=6&limit=3',
    });
    assert.deepEqual(pageLinks({ offset: 4, limit: 3 }, 7, url), { prev: '/c?offset=1&limit=3', self: '/c?offset=4&limit=3' });
    assert.deepEqual(pageLinks({ offset: 1, limit: 3 }, 7, url).prev, '/c?offset=0&limit=3');
  });

  test('an offset beyond the end still links back', () => {
    assert.deepEqual(pageLinks({ offset: 20, limit: 5 }, 7, url), { prev: '/c?offset=15&limit=5', self: '/c?offset=20&limit=5' });
  });
});
