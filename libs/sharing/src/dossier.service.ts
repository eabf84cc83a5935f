import { Injectable } from '@nestjs/common';
import { AppError, Clock } from '@bo/core';
import { Db } from '@bo/database';
import { Actor, checkFilterParam, checksVisibleToActorSql, readsOrganisationRecords, tenantOf } from '@bo/access';
import { CertificationsService, parseSiret } from '@bo/registry';
import { DocumentModel, frenchDate, labelFr, renderPdf } from '@bo/documents';
import { LeadFunderService, LeadFunderView } from './lead-funder.service';
import { ReliancesService, RelianceView } from './reliances.service';
import { ProfileView, profilesFor } from './profiles.reader';
import type { OrganisationRef } from './sharing.types';
import { organisationRefs } from './organisations.sql';

export interface DossierCheck {
  id: string;
  owner: OrganisationRef;
  access: 'OWN' | 'SHARED' | 'MANDATE';
  state: string;
  outcome: string | null;
  method: string;
  framework: { code: string | null; version: number | null };
  revision: number;
  createdAt: string;
  completedAt: string | null;
  nonConformities: { minor: number; major: number };
}

export interface DossierView {
  siret: string;
  /** The registry's establishment (certification state and history, the caller's own notes); null when not in the registry. */
  registry: Awaited<ReturnType<CertificationsService['establishment']>> | null;
  /** Visible checks, newest first: the caller's own, shared with it, or run by a body it mandated. */
  timeline: DossierCheck[];
  /** Non-conformities per indicator over the visible completed checks, computed now. */
  nonConformitiesByIndicator: { frameworkCode: string; pointCode: string; criterion: string | null; minor: number; major: number; checks: number }[];
  /** The same, per RNQ criterion (1 to 7). */
  nonConformitiesByCriterion: { criterion: string; minor: number; major: number }[];
  openCorrectiveActions: { checkId: string; owner: string; pointCode: string; grade: string; dueAt: string; overdue: boolean }[];
  reliances: RelianceView[];
  leadFunder: LeadFunderView;
  profile: ProfileView | null;
  /** Whether submitted reports not yet closed exist on the establishment, from any funder (a yes or no: docs/reports.md). */
  openReportsExist: boolean;
  /** The caller's own active price anomalies (open, under review or confirmed) on the establishment; null for an auditor. */
  priceAnomalies: number | null;
  generatedAt: string;
}

/**
 * The provider control dossier: everything a funder may know about a provider's controls, in one
 * answer, each part filtered by today's sharing rules (row-level security and libs/access).
 */
@Injectable()
export class DossierService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly certifications: CertificationsService,
    private readonly reliances: ReliancesService,
    private readonly leads: LeadFunderService,
  ) {}

  async dossier(actor: Actor, siretInput: string): Promise<DossierView> {
    const siret = parseSiret(siretInput);
    const registry = await this.certifications.establishment(actor, siret).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'PROVIDER.NOT_FOUND') return null;
      throw error;
    });
    const now = await this.clock.now();
    const parts = await this.db.tx(tenantOf(actor), async (tx) => {
      const filter = checkFilterParam(actor);
      const checks = await tx.query<{
        id: string; organisation_id: string; code: string; name: string; state: string; outcome: string | null; method: string; revision: number;
        created_at: Date; completed_at: Date | null; framework_code: string | null; framework_version: number | null; via_mandate: boolean; minor: number; major: number;
      }>(
        `SELECT c.id, c.organisation_id, o.code, o.name, c.state, c.outcome, c.method, c.revision, c.created_at, c.completed_at,
                f.code AS framework_code, f.version AS framework_version, check_mandated_for(c.id, app_org_id()) AS via_mandate,
                (SELECT count(*) FROM check_findings cf WHERE cf.check_id = c.id AND cf.grade = 'MINOR_NC')::int AS minor,
                (SELECT count(*) FROM check_findings cf WHERE cf.check_id = c.id AND cf.grade = 'MAJOR_NC')::int AS major
           FROM checks c JOIN organisations o ON o.id = c.organisation_id
           LEFT JOIN LATERAL check_framework_of(c.id) f ON true
          WHERE c.provider_siret = $1 AND ${checksVisibleToActorSql('c', '$2')}
          ORDER BY coalesce(c.completed_at, c.created_at) DESC, c.id`,
        [siret, filter],
      );
      const byIndicator = await tx.query<{ framework_code: string; point_code: string; criterion: string | null; minor: number; major: number; checks: number }>(
        `SELECT f.code AS framework_code, cf.point_code, fp.group_code AS criterion,
                count(*) FILTER (WHERE cf.grade = 'MINOR_NC')::int AS minor, count(*) FILTER (WHERE cf.grade = 'MAJOR_NC')::int AS major,
                count(DISTINCT c.id)::int AS checks
           FROM checks c
           JOIN check_findings cf ON cf.check_id = c.id AND cf.grade IN ('MINOR_NC', 'MAJOR_NC')
           CROSS JOIN LATERAL check_framework_of(c.id) f
           LEFT JOIN framework_points fp ON fp.framework_id = c.framework_id AND fp.code = cf.point_code AND f.kind = 'RNQ'
          WHERE c.provider_siret = $1 AND c.state = 'COMPLETED' AND ${checksVisibleToActorSql('c', '$2')}
          GROUP BY 1, 2, 3
          ORDER BY 1, length(cf.point_code), 2`,
        [siret, filter],
      );
      const corrective = await tx.query<{ check_id: string; name: string; point_code: string; grade: string; due_at: Date }>(
        `SELECT ca.check_id, o.name, ca.point_code, ca.grade, ca.due_at
           FROM corrective_actions ca JOIN checks c ON c.id = ca.check_id AND ca.revision = c.revision
           JOIN organisations o ON o.id = c.organisation_id
          WHERE c.provider_siret = $1 AND ca.status = 'OPEN' AND ${checksVisibleToActorSql('c', '$2')}
          ORDER BY ca.due_at, ca.id`,
        [siret, filter],
      );
      // Cross-funder facts the disclosure catalogue allows: a yes or no on open reports (reports_open_exist,
      // migration 0040); the caller's own anomalies only (row-level security), not for an auditor (libs/access).
      const [facts] = await tx.query<{ open_reports: boolean; anomalies: number }>(
        `SELECT reports_open_exist($1) AS open_reports,
                (SELECT count(*) FROM price_anomalies pa WHERE pa.provider_siret = $1 AND pa.active AND pa.status IN ('OPEN', 'UNDER_REVIEW', 'CONFIRMED'))::int AS anomalies`,
        [siret],
      );
      return {
        checks,
        byIndicator,
        corrective,
        facts,
        leadFunder: await this.leads.viewIn(tx, siret),
        profile: (await profilesFor(tx, [siret])).get(siret) ?? null,
      };
    });
    const criteria = new Map<string, { minor: number; major: number }>();
    for (const r of parts.byIndicator) {
      if (!r.criterion) continue;
      const c = criteria.get(r.criterion) ?? { minor: 0, major: 0 };
      criteria.set(r.criterion, { minor: c.minor + r.minor, major: c.major + r.major });
    }
    return {
      siret,
      registry,
      timeline: parts.checks.map((c) => ({
        id: c.id,
        owner: { id: c.organisation_id, code: c.code, name: c.name },
        access: c.organisation_id === actor.organisationId ? 'OWN' : c.via_mandate ? 'MANDATE' : 'SHARED',
        state: c.state,
        outcome: c.outcome,
        method: c.method,
        framework: { code: c.framework_code, version: c.framework_version },
        revision: c.revision,
        createdAt: c.created_at.toISOString(),
        completedAt: c.completed_at?.toISOString() ?? null,
        nonConformities: { minor: c.minor, major: c.major },
      })),
      nonConformitiesByIndicator: parts.byIndicator.map((r) => ({ frameworkCode: r.framework_code, pointCode: r.point_code, criterion: r.criterion, minor: r.minor, major: r.major, checks: r.checks })),
      nonConformitiesByCriterion: ['1', '2', '3', '4', '5', '6', '7'].map((criterion) => ({ criterion, ...(criteria.get(criterion) ?? { minor: 0, major: 0 }) })),
      openCorrectiveActions: parts.corrective.map((c) => ({
        checkId: c.check_id,
        owner: c.name,
        pointCode: c.point_code,
        grade: c.grade,
        dueAt: c.due_at.toISOString(),
        overdue: c.due_at.getTime() < now.getTime(),
      })),
      reliances: await this.reliances.list(actor, { providerSiret: siret }),
      leadFunder: parts.leadFunder,
      profile: parts.profile,
      openReportsExist: parts.facts.open_reports,
      priceAnomalies: readsOrganisationRecords(actor) ? parts.facts.anomalies : null,
      generatedAt: now.toISOString(),
    };
  }

  /** The dossier as a PDF (French labels and dates) or as its JSON. */
  async export(actor: Actor, siret: string, format: 'json' | 'pdf'): Promise<{ json?: DossierView; pdf?: Buffer; fileName: string }> {
    const dossier = await this.dossier(actor, siret);
    const fileName = `dossier-${dossier.siret}.${format}`;
    if (format === 'json') return { json: dossier, fileName };
    const [issuer] = await this.db.tx(tenantOf(actor), (tx) => organisationRefs(tx, [actor.organisationId]));
    return { pdf: await renderPdf(dossierModel(dossier, issuer?.name ?? actor.label)), fileName };
  }
}

function dossierModel(d: DossierView, issuer: string): DocumentModel {
  const date = (v: string | null) => (v ? frenchDate(v) : '—');
  const name = d.registry?.ndas[0]?.name ?? 'Organisme absent du registre';
  return {
    title: `Dossier de contrôle — ${name}`,
    subtitle: `SIRET ${d.siret}`,
    issuer,
    createdAt: new Date(d.generatedAt),
    reference: `dossier ${d.siret}`,
    sections: [
      {
        heading: 'Synthèse',
        fields: [
          ['Chef de file', d.leadFunder.lead ? `${d.leadFunder.lead.funder.name} (depuis le ${date(d.leadFunder.lead.since)})` : 'aucun'],
          ['Financeurs qui le financent (12 mois)', d.profile ? String(d.profile.fundersFunding) : '—'],
          ['Score de risque', d.profile ? `${d.profile.riskScore} / 100` : 'pas encore calculé'],
          ['Contrôles visibles', String(d.timeline.length)],
          ['Actions correctives ouvertes', String(d.openCorrectiveActions.length)],
        ],
      },
      {
        heading: 'Historique de la certification Qualiopi',
        table: {
          columns: [{ header: 'NDA', width: 2 }, { header: 'Catégorie', width: 2 }, { header: 'Certifié', width: 1 }, { header: 'Observé le', width: 2 }, { header: 'Source', width: 2 }],
          rows: (d.registry?.ndas ?? []).flatMap((n) =>
            n.history.map((h) => [n.nda, labelFr('category', h.category), h.certified ? 'oui' : 'non', date(h.observedOn), labelFr('observationSource', h.source)]),
          ),
        },
      },
      {
        heading: 'Contrôles visibles',
        table: {
          columns: [{ header: 'Date', width: 2 }, { header: 'Financeur', width: 3 }, { header: 'Méthode', width: 2 }, { header: 'État', width: 2 }, { header: 'Résultat', width: 2 }, { header: 'NC min./maj.', width: 1 }],
          rows: d.timeline.map((c) => [
            date(c.completedAt ?? c.createdAt),
            c.owner.name,
            labelFr('method', c.method),
            labelFr('checkState', c.state),
            c.outcome ? labelFr('outcome', c.outcome) : '—',
            `${c.nonConformities.minor} / ${c.nonConformities.major}`,
          ]),
        },
      },
      {
        heading: 'Non-conformités par indicateur (contrôles terminés visibles)',
        table: {
          columns: [{ header: 'Référentiel', width: 2 }, { header: 'Indicateur', width: 1 }, { header: 'Critère', width: 1 }, { header: 'Mineures', width: 1 }, { header: 'Majeures', width: 1 }],
          rows: d.nonConformitiesByIndicator.map((r) => [r.frameworkCode, r.pointCode, r.criterion ?? '—', String(r.minor), String(r.major)]),
        },
      },
      {
        heading: 'Actions correctives ouvertes',
        table: {
          columns: [{ header: 'Financeur', width: 3 }, { header: 'Indicateur', width: 1 }, { header: 'Gravité', width: 2 }, { header: 'Échéance', width: 2 }],
          rows: d.openCorrectiveActions.map((c) => [c.owner, c.pointCode, labelFr('grade', c.grade), `${date(c.dueAt)}${c.overdue ? ' (dépassée)' : ''}`]),
        },
      },
      {
        heading: 'Appuis de votre organisation',
        table: {
          columns: [{ header: 'Contrôle de', width: 3 }, { header: 'Motif', width: 4 }, { header: 'État', width: 2 }],
          rows: d.reliances.map((r) => [r.check?.ownerName ?? '—', r.reason, r.stale ? 'caduc' : 'actif']),
        },
      },
    ],
  };
}
