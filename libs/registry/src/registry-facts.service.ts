import { Injectable } from '@nestjs/common';
import { Tx } from '@bo/database';
import { ACTION_CATEGORIES, ActionCategory } from './csv-layouts';

export interface ActionFacts {
  id: string;
  providerSiret: string;
  providerNda: string | null;
  category: ActionCategory;
  certificationCode: string | null;
}

/**
 * What other domains (quality checks) may read of the registry and the funded actions, and the
 * one write they may ask (payment blocks), all inside the caller's transaction so that row-level
 * security and atomicity hold. Their SQL lives here, next to the tables it reads.
 */
@Injectable()
export class RegistryFactsService {
  /** The caller's funded actions with these ids (row-level security hides the others). */
  async actions(tx: Tx, ids: readonly string[]): Promise<ActionFacts[]> {
    if (!ids.length) return [];
    const rows = await tx.query<{ id: string; provider_siret: string; provider_nda: string | null; category: ActionCategory; certification_code: string | null }>(
      `SELECT id, provider_siret, provider_nda, category, certification_code FROM funded_actions WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map((r) => ({ id: r.id, providerSiret: r.provider_siret, providerNda: r.provider_nda, category: r.category, certificationCode: r.certification_code }));
  }

  /** The caller's funded actions at a provider (all its NDAs, or those of `nda` and unspecified ones). */
  async actionsAt(tx: Tx, siret: string, nda: string | null): Promise<{ id: string; category: ActionCategory }[]> {
    return tx.query<{ id: string; category: ActionCategory }>(
      `SELECT id, category FROM funded_actions
        WHERE provider_siret = $1 AND ($2::text IS NULL OR provider_nda IS NULL OR provider_nda = $2)`,
      [siret, nda],
    );
  }

  /**
   * Sets or lifts the payment block of actions (missing *service fait* proof), naming the check
   * that decided. Returns how many were blocked before.
   */
  async setPaymentBlock(tx: Tx, actionIds: readonly string[], block: { blocked: boolean; reason: string | null; checkId: string }): Promise<{ updated: number; wereBlocked: number }> {
    if (!actionIds.length) return { updated: 0, wereBlocked: 0 };
    const rows = await tx.query<{ was_blocked: boolean }>(
      `WITH before AS (SELECT id, payment_blocked FROM funded_actions WHERE id = ANY($1::uuid[]) FOR UPDATE)
       UPDATE funded_actions a SET payment_blocked = $2, payment_block_reason = $3, payment_block_check_id = $4, updated_at = now()
         FROM before WHERE a.id = before.id
       RETURNING before.payment_blocked AS was_blocked`,
      [actionIds, block.blocked, block.reason, block.checkId],
    );
    return { updated: rows.length, wereBlocked: rows.filter((r) => r.was_blocked).length };
  }

  /** The caller's blocked payments on all sites of an organisation (SIREN). */
  async blockedPayments(tx: Tx, siren: string): Promise<{ actions: number; amountFunded: number }> {
    const [row] = await tx.query<{ n: number; amount: string | null }>(
      `SELECT count(*)::int AS n, sum(amount_funded)::text AS amount FROM funded_actions WHERE payment_blocked AND left(provider_siret, 9) = $1`,
      [siren],
    );
    return { actions: row.n, amountFunded: row.amount === null ? 0 : Number(row.amount) };
  }

  /** Name and region of a provider: the NDA named, else the establishment, else its organisation. */
  async provider(tx: Tx, siret: string, nda: string | null): Promise<{ name: string; region: string | null; siret: string } | undefined> {
    return tx.one<{ name: string; region: string | null; siret: string }>(
      `SELECT name, region, siret FROM providers WHERE nda = $2 OR siret = $1 OR siren = left($1, 9)
        ORDER BY (nda = $2) DESC NULLS LAST, (siret = $1) DESC LIMIT 1`,
      [siret, nda],
    );
  }

  /** The SIRET an NDA is declared at, when the NDA is in the registry. */
  async siretOfNda(tx: Tx, nda: string): Promise<string | undefined> {
    return (await tx.one<{ siret: string }>(`SELECT siret FROM providers WHERE nda = $1`, [nda]))?.siret;
  }

  /** Categories the provider is certified for on `date` (or deemed so by an exemption), by `certification_state`. */
  async certifiedCategories(tx: Tx, siret: string, nda: string | null, date: string): Promise<ActionCategory[]> {
    const rows = await tx.query<{ category: ActionCategory }>(
      `SELECT c.category FROM unnest($1::text[]) AS c(category)
        CROSS JOIN LATERAL certification_state($2, $3, c.category, $4::date) s
        WHERE s.status IN ('CERTIFIED', 'EXEMPT')`,
      [ACTION_CATEGORIES, siret, nda, date],
    );
    return rows.map((r) => r.category);
  }
}
