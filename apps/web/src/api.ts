// The API client: fetch with the bearer token kept in sessionStorage (gone when the tab closes),
// one refresh on a 401, errors carrying the problem+json `detail`.

const ACCESS = 'bo.accessToken';
const REFRESH = 'bo.refreshToken';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export function isLoggedIn(): boolean {
  return sessionStorage.getItem(ACCESS) !== null;
}

export function forget(): void {
  sessionStorage.removeItem(ACCESS);
  sessionStorage.removeItem(REFRESH);
}

function remember(tokens: { accessToken: string; refreshToken?: string }): void {
  sessionStorage.setItem(ACCESS, tokens.accessToken);
  if (tokens.refreshToken) sessionStorage.setItem(REFRESH, tokens.refreshToken);
}

let onSessionLost: () => void = () => undefined;
export function whenSessionLost(callback: () => void): void {
  onSessionLost = callback;
}

async function problemOf(res: Response): Promise<ApiError> {
  let detail = `Erreur ${res.status}`;
  let code: string | undefined;
  try {
    const body = (await res.json()) as { detail?: string; title?: string; code?: string };
    detail = body.detail ?? body.title ?? detail;
    code = body.code;
  } catch {
    // not JSON: keep the status
  }
  return new ApiError(res.status, detail, code);
}

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const token = sessionStorage.getItem(ACCESS);
  const headers = new Headers(init.headers);
  headers.set('accept', 'application/json');
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(`/api/v1${path}`, { ...init, headers });
}

async function refresh(): Promise<boolean> {
  const refreshToken = sessionStorage.getItem(REFRESH);
  if (!refreshToken) return false;
  const res = await fetch('/api/v1/auth/refresh', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ refreshToken }),
  });
  if (!res.ok) return false;
  remember((await res.json()) as { accessToken: string; refreshToken?: string });
  return true;
}

export async function get<T>(path: string): Promise<T> {
  let res = await send(path);
  if (res.status === 401 && (await refresh())) res = await send(path);
  if (res.status === 401) {
    forget();
    onSessionLost();
  }
  if (!res.ok) throw await problemOf(res);
  return (await res.json()) as T;
}

export async function login(email: string, password: string): Promise<void> {
  const res = await fetch('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw await problemOf(res);
  remember((await res.json()) as { accessToken: string; refreshToken?: string });
}

export async function logout(): Promise<void> {
  const refreshToken = sessionStorage.getItem(REFRESH);
  forget();
  if (refreshToken) {
    await fetch('/api/v1/auth/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    }).catch(() => undefined);
  }
}

// --- Shapes of the answers used here (see the controllers under apps/api/src) ---------------

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Me {
  id: string;
  email: string;
  displayName: string;
  roles: string[];
  organisation: { id: string; code: string; kind: string; name: string };
}

export type Coverage = 'CERTIFIED' | 'NOT_CERTIFIED' | 'EXEMPT' | 'UNKNOWN';

export interface Action {
  id: string;
  externalRef: string;
  providerSiret: string;
  category: string;
  startDate: string;
  endDate: string | null;
  amountFunded: number;
  coverage: Coverage;
  coverageFlags: string[];
}

export interface PointScope {
  applicable: boolean;
  reason?: string;
  title?: string;
}

export interface Finding {
  pointCode: string;
  grade: string;
  comment: string | null;
  recordedAt: string;
}

export interface CheckSummary {
  id: string;
  providerSiret: string;
  providerNda: string | null;
  framework: { id: string; code: string; version: number };
  state: string;
  outcome: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface Check extends CheckSummary {
  method: string;
  scope: { categories: string[]; points: Record<string, PointScope>; counts: { total: number; applicable: number; notApplicable: number } };
  findings: Finding[];
  revision: number;
  procedure: { notifiedAt: string | null; providerReceivedOn: string | null; responseDueAt: string | null };
}

export interface Framework {
  code: string;
  version: number;
  title: string;
  points: { code: string; title: string; position: number }[];
}

export interface Provider {
  nda: string;
  siren: string;
  siret: string;
  name: string;
  city: string | null;
  region: string | null;
  listed: boolean;
}

export interface Exemption {
  id: string;
  kind: string;
  categories: string[];
  validFrom: string;
  validUntil: string | null;
  legalSource: string;
}

export interface FundingCheck {
  siret: string;
  category: string;
  date: string;
  certification: {
    status: Coverage;
    nda: string | null;
    flags: string[];
    observation: { observedOn: string; validUntil: string | null; source: string; certifier: string | null } | null;
  };
  exemptions: Exemption[];
  activity: { inRegistry: boolean; listed: boolean; lastDeclarationDate: string | null };
  controls: {
    openMajorNonConformities: { correctiveActionId: string; checkId: string; pointCode: string; description: string; dueAt: string; overdue: boolean; siret: string }[];
    blockedPayments: { actions: number; amountFunded: number };
  };
}
