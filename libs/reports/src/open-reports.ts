import { Tx } from '@bo/database';

/**
 * Whether submitted reports not yet closed exist on an establishment, across funders: the one
 * cross-funder fact about reports the disclosure catalogue allows ("open reports exist", never
 * counts). For the funding check (the lead wires it in). Works under any role: the database
 * function answers a yes/no only.
 */
export async function openReportsExist(tx: Pick<Tx, 'one'>, siret: string): Promise<boolean> {
  const row = await tx.one<{ open: boolean }>(`SELECT reports_open_exist($1) AS open`, [siret]);
  return row?.open ?? false;
}

/** The same as a SQL fragment for set-based statements: `$param` is the SIRET's placeholder. */
export const OPEN_REPORTS_EXIST_SQL = (param: string) => `reports_open_exist(${param})`;
