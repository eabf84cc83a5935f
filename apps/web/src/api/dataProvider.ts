// react-admin's data provider over /api/v1.
//
// Paging: the API pages by opaque cursor (`?limit=&cursor=` -> `{items, nextCursor, total?}`);
// react-admin pages by number. For each list query (resource, filters, sort, page size) the
// cursor that starts page n is remembered when page n-1 is read, so « page suivante » costs one
// call; a page whose cursor is unknown (a bookmarked page 4) is reached by walking from the last
// known one. The answer carries `total` when the API gives one, else `pageInfo` (react-admin then
// shows « précédent / suivant » without a page count).
import type { DataProvider, GetListParams, RaRecord } from 'react-admin';
import { del, get, patch, post, put, query } from './http';


interface ResourceMap {
  /** API path of the collection. */
  path: string;
  /** The record id in the API (defaults to `id`). */
  idOf?: (row: Record<string, unknown>) => string;
  /** API query parameters of react-admin's filter values (defaults to the same names). */
  filters?: (filter: Record<string, unknown>) => Record<string, unknown>;
  /** API sort parameter, when the API sorts this collection. */
  sort?: (field: string, order: string) => Record<string, unknown>;
  /** The collection answers a plain array (no paging). */
  array?: boolean;
  /** Path of one record, when not `${path}/${id}`. */
  one?: (id: string) => string;
}

export const RESOURCES: Record<string, ResourceMap> = {
  organismes: {
    path: '/providers',
    idOf: (r) => `${String(r.siret)}-${String(r.nda)}`,
    one: (id) => `/providers/${id.split('-')[0]}`,
  },
  actions: {
    path: '/actions',
    sort: (field, order) => (['externalRef', 'startDate', 'amountFunded'].includes(field) ? { sort: `${order === 'DESC' ? '-' : ''}${field}` } : {}),
  },
  controles: {
    path: '/checks',
    // « Mes contrôles » is `assignee=me`; dates are sent as YYYY-MM-DD (the API's filter names).
    filters: (f) => ({ ...f, providerSiret: typeof f.providerSiret === 'string' ? f.providerSiret.replace(/\s/g, '') || undefined : undefined }),
  },
  imports: { path: '/imports' },
  signalements: { path: '/reports' },
  'boite-de-reception': { path: '/inbox/cases' },
  utilisateurs: { path: '/users' },
  'cles-api': { path: '/api-keys', array: true },
  anomalies: {
    path: '/anomalies',
    // SIRET typed with spaces (« 812 345 676 00124 ») is sent as 14 digits.
    filters: (f) => ({ ...f, providerSiret: typeof f.providerSiret === 'string' ? f.providerSiret.replace(/\s/g, '') || undefined : undefined }),
  },
};

/** What every list route of the API answers (`XxxPageDto`): a page of items and the next cursor. */
interface CursorPage {
  items: Record<string, unknown>[];
  nextCursor?: string | null;
  total?: number;
}

const PAGE_CURSORS = new Map<string, (string | undefined)[]>();

function mapOf(resource: string): ResourceMap {
  const map = RESOURCES[resource];
  if (!map) throw new Error(`unknown resource ${resource}`);
  return map;
}

function withId<T extends Record<string, unknown>>(map: ResourceMap, row: T): T & RaRecord {
  return { ...row, id: map.idOf ? map.idOf(row) : (row.id as string) };
}

function listParams(map: ResourceMap, params: GetListParams): Record<string, unknown> {
  const filter = map.filters ? map.filters(params.filter ?? {}) : (params.filter ?? {});
  const sort = map.sort && params.sort?.field ? map.sort(params.sort.field, params.sort.order) : {};
  return { ...filter, ...sort };
}

async function getList(resource: string, params: GetListParams) {
  const map = mapOf(resource);
  const base = listParams(map, params);
  if (map.array) {
    const rows = await get<Record<string, unknown>[]>(`${map.path}${query(base)}`);
    return { data: rows.map((r) => withId(map, r)), total: rows.length };
  }
  const { page = 1, perPage = 25 } = params.pagination ?? {};
  const key = JSON.stringify([resource, base, perPage]);
  const cursors = PAGE_CURSORS.get(key) ?? [undefined];
  PAGE_CURSORS.set(key, cursors);
  // Walk from the last known page start up to the requested page.
  let at = Math.min(page, cursors.length);
  let answer: CursorPage = await get(`${map.path}${query({ ...base, limit: perPage, cursor: cursors[at - 1] })}`);
  while (at < page && answer.nextCursor) {
    cursors[at] = answer.nextCursor;
    at += 1;
    answer = await get(`${map.path}${query({ ...base, limit: perPage, cursor: cursors[at - 1] })}`);
  }
  if (answer.nextCursor) cursors[at] = answer.nextCursor;
  const data = answer.items.map((r) => withId(map, r));
  if (typeof answer.total === 'number') return { data, total: answer.total };
  return { data, pageInfo: { hasNextPage: Boolean(answer.nextCursor), hasPreviousPage: at > 1 } };
}

async function getOne(resource: string, id: string) {
  const map = mapOf(resource);
  const row = await get<Record<string, unknown>>(map.one ? map.one(id) : `${map.path}/${encodeURIComponent(id)}`);
  return withId(map, row);
}

export const dataProvider: DataProvider = {
  getList: async (resource, params) => (await getList(resource, params)) as never,
  getOne: async (resource, params) => ({ data: (await getOne(resource, String(params.id))) as never }),
  getMany: async (resource, params) => ({ data: (await Promise.all(params.ids.map((id) => getOne(resource, String(id))))) as never }),
  getManyReference: async (resource, params) => (await getList(resource, { ...params, filter: { ...params.filter, [params.target]: params.id } })) as never,
  create: async (resource, params) => {
    const map = mapOf(resource);
    PAGE_CURSORS.clear();
    const row = await post<Record<string, unknown>>(map.path, params.data);
    return { data: withId(map, row) as never };
  },
  update: async (resource, params) => {
    const map = mapOf(resource);
    const version = (params.previousData as { version?: number } | undefined)?.version;
    const headers: Record<string, string> = version !== undefined ? { 'if-match': etag(String(params.id), version) } : {};
    const row = await patch<Record<string, unknown>>(`${map.path}/${encodeURIComponent(String(params.id))}`, params.data, headers);
    return { data: withId(map, row) as never };
  },
  updateMany: async () => {
    throw new Error('updateMany is not offered by the API');
  },
  delete: async (resource, params) => {
    const map = mapOf(resource);
    PAGE_CURSORS.clear();
    await del(`${map.path}/${encodeURIComponent(String(params.id))}`);
    return { data: params.previousData as never };
  },
  deleteMany: async (resource, params) => {
    const map = mapOf(resource);
    for (const id of params.ids) await del(`${map.path}/${encodeURIComponent(String(id))}`);
    PAGE_CURSORS.clear();
    return { data: params.ids };
  },
};

/** The ETag the API gives a record (`"id.vN"`), for If-Match. */
export function etag(id: string, version: number): string {
  return `"${id}.v${version}"`;
}

export { put };
