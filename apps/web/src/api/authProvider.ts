// react-admin's auth provider: log-in with e-mail and password, tokens in sessionStorage (gone
// when the tab closes), the identity and roles from GET /me. Renewal is not here: the HTTP client
// (http.ts) renews on a 401 with ONE refresh shared by all calls in flight.
import type { AuthProvider } from 'react-admin';
import { ApiError, get, problemOf, tokens, type Tokens } from './http';
import type { Dto } from './dto';
import { errorMessageFr } from '../i18n/errors.fr';

type Me = Dto<'MeDto'>;

let me: Promise<Me> | null = null;
export function currentUser(): Promise<Me> {
  me ??= get<Me>('/me').catch((e: unknown) => {
    me = null;
    throw e;
  });
  return me;
}

export const authProvider: AuthProvider = {
  async login({ username, password }: { username: string; password: string }) {
    let res: Response;
    try {
      res = await fetch('/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ email: username, password }),
      });
    } catch (e) {
      throw new Error(errorMessageFr(e), { cause: e });
    }
    if (!res.ok) throw new Error(errorMessageFr(await problemOf(res)));
    tokens.remember((await res.json()) as Tokens);
    me = null;
  },
  async logout() {
    const refreshToken = tokens.refresh();
    tokens.forget();
    me = null;
    if (refreshToken) {
      await fetch('/api/v1/auth/logout', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken }),
      }).catch(() => undefined);
    }
  },
  async checkAuth() {
    if (!tokens.access()) throw new Error('ra.auth.auth_check_error');
  },
  async checkError(error: unknown) {
    // http.ts already renewed (or failed to renew) the session: a 401 here means it is gone.
    if (error instanceof ApiError && error.status === 401) {
      tokens.forget();
      me = null;
      throw new Error('ra.auth.auth_check_error');
    }
  },
  async getIdentity() {
    const user = await currentUser();
    return { id: user.id, fullName: user.displayName, organisation: user.organisation.name };
  },
  async getPermissions() {
    if (!tokens.access()) return [];
    return (await currentUser()).roles;
  },
};
