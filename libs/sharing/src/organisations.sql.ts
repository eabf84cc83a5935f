import { Tx } from '@bo/database';
import type { OrganisationRef } from './sharing.types';

/** The directory entries of these organisations (a shared table), in the order asked. */
export async function organisationRefs(tx: Pick<Tx, 'query'>, ids: readonly string[]): Promise<OrganisationRef[]> {
  if (!ids.length) return [];
  const rows = await tx.query<OrganisationRef>(`SELECT id, code, name FROM organisations WHERE id = ANY($1::uuid[])`, [ids]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((r): r is OrganisationRef => r !== undefined);
}
