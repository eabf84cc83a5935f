import { Actor } from './actor';

/**
 * Turns a credential into an actor, or `undefined` when it is not valid. Implemented by the
 * identity lib; the API's guard depends only on this.
 */
export abstract class Authenticator {
  abstract fromAccessToken(token: string): Promise<Actor | undefined>;
  abstract fromApiKey(key: string, address: string): Promise<Actor | undefined>;
}
