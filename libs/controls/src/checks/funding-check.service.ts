import { Injectable } from '@nestjs/common';
import { Clock } from '@bo/core';
import { Db } from '@bo/database';
import { Actor, checkFilterParam, ownChecksSql, readsOrganisationRecords, tenantOf, visibleChecksSql } from '@bo/access';
import { CertificationCategory, CertificationsService, ProvidersService, RegistryFactsService } from '@bo/registry';
import { isOverdue } from '../rules';

/**
 * What a funder weighs before funding a provider, in one answer: the registry's facts
 * (certification on the date, exemptions, declared activity) and the funder's own control
 * results on the organisation (all its sites): open major non-conformities and blocked payments.
 * Control facts come from the caller's own checks only (an auditor: those assigned to it, no
 * payment blocks; libs/access decides); other funders' checks join through the sharing rules (a
 * later issue). A funder's own certification note is shown beside the shared state
 * (`certification.ownNote`), never changing it.
 */
@Injectable()
export class FundingCheckService {
  constructor(
    private readonly providers: ProvidersService,
    private readonly certifications: CertificationsService,
    private readonly facts: RegistryFactsService,
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async check(actor: Actor, siret: string, category: CertificationCategory, date?: string, nda?: string) {
    const registry = await this.providers.fundingCheck(siret, category, date, nda);
    const now = await this.clock.now();
    const controls = await this.db.tx(tenantOf(actor), async (tx) => {
      const majors = await tx.query<{ id: string; check_id: string; revision: number; point_code: string; description: string; due_at: Date; provider_siret: string }>(
        `SELECT ca.id, ca.check_id, ca.revision, ca.point_code, ca.description, ca.due_at, c.provider_siret
           FROM corrective_actions ca JOIN checks c ON c.id = ca.check_id
          WHERE ca.status = 'OPEN' AND ca.grade = 'MAJOR_NC' AND left(c.provider_siret, 9) = $1
            AND ${ownChecksSql('c')} AND ${visibleChecksSql('c', '$2')}
          ORDER BY ca.due_at`,
        [registry.siren, checkFilterParam(actor)],
      );
      // Payment blocks are funded-action facts: not for an auditor (libs/access).
      const blockedPayments = readsOrganisationRecords(actor) ? await this.facts.blockedPayments(tx, registry.siren) : null;
      // The caller's own note (a funder's hand entry) beside the shared state, never instead of it.
      const ownNote = await this.certifications.ownNoteIn(tx, actor, registry.siret, nda ?? null, category, registry.date);
      return {
        ownNote,
        openMajorNonConformities: majors.map((m) => ({
          correctiveActionId: m.id,
          checkId: m.check_id,
          revision: m.revision,
          pointCode: m.point_code,
          description: m.description,
          dueAt: m.due_at.toISOString(),
          overdue: isOverdue(m.due_at, now, null),
          siret: m.provider_siret,
        })),
        blockedPayments,
      };
    });
    const { ownNote, ...controlFacts } = controls;
    return { ...registry, certification: { ...registry.certification, ownNote }, controls: controlFacts };
  }
}
