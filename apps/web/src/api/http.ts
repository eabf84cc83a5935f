// The one HTTP client of the UI: bearer token from sessionStorage, problem+json errors as ApiError,
// and a single refresh in flight shared by every call that meets a 401.
//
// Why one refresh: refresh tokens are single-use and rotate; presenting a spent one revokes the
// whole family (AUTH.REFRESH_REUSED). A page fires 3-4 calls at once; when the access token has
// expired they all get a 401 at the same moment. Each used to refresh on its own, so the second
// refresh spent an already-spent token and logged the user out. Here the first 401 starts the
// refresh and every other call awaits the same promise, then retries with the new access token.

import type { components } from './schema';

const ACCESS = 'bo.accessToken';
const REFRESH = 'bo.refreshToken';
export const API = '/api/v1';

/** One entry of a problem's `errors[]` (the generated `FieldErrorDto`). */
export type FieldError = components['schemas']['FieldErrorDto'];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly errors: FieldError[] = [],
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface Tokens {
  accessToken: string;
  refreshToken?: string;
}

export const tokens = {
  access: (): string | null => sessionStorage.getItem(ACCESS),
  refresh: (): string | null => sessionStorage.getItem(REFRESH),
  remember(t: Tokens): void {
    sessionStorage.setItem(ACCESS, t.accessToken);
    if (t.refreshToken) sessionStorage.setItem(REFRESH, t.refreshToken);
  },
  forget(): void {
    sessionStorage.removeItem(ACCESS);
    sessionStorage.removeItem(REFRESH);
  },
};

export async function problemOf(res: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    // not JSON: the status alone
  }
  const detail = typeof body.detail === 'string' ? body.detail : typeof body.title === 'string' ? body.title : `HTTP ${res.status}`;
  const errors = Array.isArray(body.errors) ? (body.errors as FieldError[]) : [];
  return new ApiError(res.status, detail, typeof body.code === 'string' ? body.code : undefined, errors, body);
}

let refreshing: Promise<boolean> | null = null;

/** Spends the refresh token once, however many callers ask at the same time. */
export function refreshOnce(): Promise<boolean> {
  if (refreshing) return refreshing;
  const spent = tokens.refresh();
  refreshing = (async () => {
    if (!spent) return false;
    try {
      const res = await fetch(`${API}/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ refreshToken: spent }),
      });
      if (!res.ok) return false;
      tokens.remember((await res.json()) as Tokens);
      return true;
    } catch {
      return false;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

let sessionLost: () => void = () => undefined;
/** Called once the session cannot be renewed (the auth provider then shows the log-in page). */
export function onSessionLost(callback: () => void): void {
  sessionLost = callback;
}

function withAuth(init: RequestInit): RequestInit {
  const headers = new Headers(init.headers);
  if (!headers.has('accept')) headers.set('accept', 'application/json');
  const token = tokens.access();
  if (token) headers.set('authorization', `Bearer ${token}`);
  return { ...init, headers };
}

/** fetch under /api/v1 with the bearer token; a 401 waits for the shared refresh and retries once. */
export async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const sentWith = tokens.access();
  let res = await fetch(`${API}${path}`, withAuth(init));
  if (res.status !== 401 || !sentWith) return res;
  // Another call may already have renewed the token while this one was on the wire.
  const renewed = tokens.access() !== sentWith || (await refreshOnce());
  if (renewed) res = await fetch(`${API}${path}`, withAuth(init));
  if (res.status === 401) {
    tokens.forget();
    sessionLost();
  }
  return res;
}

export async function json<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await send(path, init);
  if (!res.ok) throw await problemOf(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export function get<T>(path: string): Promise<T> {
  return json<T>(path);
}

function bodyInit(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) };
}

export const post = <T>(path: string, body?: unknown, headers?: Record<string, string>) => json<T>(path, bodyInit('POST', body ?? {}, headers));
export const put = <T>(path: string, body?: unknown) => json<T>(path, bodyInit('PUT', body ?? {}));
export const patch = <T>(path: string, body: unknown, headers?: Record<string, string>) => json<T>(path, bodyInit('PATCH', body, headers));
export const del = <T>(path: string) => json<T>(path, { method: 'DELETE' });

/** Builds a query string, leaving out empty values. */
export function query(params: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * Uploads a multipart form with progress (fetch has no upload progress: XMLHttpRequest does).
 * Goes through the same refresh on a 401.
 */
export async function upload<T>(path: string, form: FormData, onProgress: (fraction: number) => void): Promise<T> {
  const once = () =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${API}${path}`);
      xhr.setRequestHeader('accept', 'application/json');
      const token = tokens.access();
      if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) onProgress(e.loaded / e.total);
      };
      xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
      xhr.onerror = () => reject(new ApiError(0, 'network'));
      xhr.send(form);
    });
  let r = await once();
  if (r.status === 401 && (await refreshOnce())) r = await once();
  const body = r.text ? (JSON.parse(r.text) as Record<string, unknown>) : {};
  if (r.status >= 400) {
    if (r.status === 401) {
      tokens.forget();
      sessionLost();
    }
    const detail = typeof body.detail === 'string' ? body.detail : `HTTP ${r.status}`;
    throw new ApiError(r.status, detail, typeof body.code === 'string' ? body.code : undefined, Array.isArray(body.errors) ? (body.errors as FieldError[]) : [], body);
  }
  onProgress(1);
  return body as T;
}

/** Downloads a file through the authenticated client and hands it to the browser. */
export async function download(path: string, fallbackName: string, init: { method?: string; body?: unknown; accept?: string } = {}): Promise<void> {
  const res = await send(
    path,
    init.body === undefined ? { method: init.method, headers: { accept: init.accept ?? '*/*' } } : { ...bodyInit(init.method ?? 'POST', init.body), headers: { 'content-type': 'application/json', accept: init.accept ?? '*/*' } },
  );
  if (!res.ok) throw await problemOf(res);
  const blob = await res.blob();
  const disposition = res.headers.get('content-disposition') ?? '';
  const name = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1] ?? /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = decodeURIComponent(name);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
