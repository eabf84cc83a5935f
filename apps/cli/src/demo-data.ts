import { Injectable } from '@nestjs/common';
import { Db } from '@bo/database';
import { Actor, OrganisationKind, Role, effectiveRoles } from '@bo/access';
import { UsersService } from '@bo/identity';
import { ActionsService, luhnCheckDigit } from '@bo/registry';
import { CheckProcedureService, ChecksService, FindingsService, localDateIn } from '@bo/controls';
import { CheckSharingService, LeadFunderService, MandatesService } from '@bo/sharing';
import { ReportsService, SubmissionService } from '@bo/reports';

export const DEMO_PASSWORD = 'demo-qualite-2026';

/** Runs one statement as the owner role (shared tables). */
export type OwnerQuery = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

export interface DemoLogin {
  email: string;
  roles: Role[];
  organisationCode: string;
  what: string;
}

/** Demo users: three funders (an OPCO, the CDC, a Région), a control service, a certifier, the platform. */
export const DEMO_USERS: (DemoLogin & { displayName: string })[] = [
  { email: 'officer@atlas.demo', displayName: 'Camille Martin', roles: ['officer'], organisationCode: 'OPCO-ATLAS', what: 'chargée de contrôle, OPCO Atlas' },
  { email: 'manager@atlas.demo', displayName: 'Julien Bernard', roles: ['manager'], organisationCode: 'OPCO-ATLAS', what: 'responsable qualité, OPCO Atlas' },
  { email: 'admin@atlas.demo', displayName: 'Sophie Laurent', roles: ['admin'], organisationCode: 'OPCO-ATLAS', what: 'administratrice, OPCO Atlas' },
  { email: 'auditor@atlas.demo', displayName: 'Karim Haddad', roles: ['auditor'], organisationCode: 'OPCO-ATLAS', what: 'auditeur externe mandaté par OPCO Atlas' },
  { email: 'officer@cdc.demo', displayName: 'Nadia Petit', roles: ['officer'], organisationCode: 'CDC', what: 'chargée de contrôle, Caisse des Dépôts' },
  { email: 'manager@cdc.demo', displayName: 'Thomas Roux', roles: ['manager', 'admin'], organisationCode: 'CDC', what: 'responsable et administrateur, Caisse des Dépôts' },
  { email: 'officer@ara.demo', displayName: 'Léa Fontaine', roles: ['officer'], organisationCode: 'REG-84', what: 'chargée de contrôle, Région Auvergne-Rhône-Alpes' },
  { email: 'manager@ara.demo', displayName: 'Marc Girard', roles: ['manager', 'admin'], organisationCode: 'REG-84', what: 'responsable, Région Auvergne-Rhône-Alpes' },
  { email: 'agent@src84.demo', displayName: 'Hélène Morel', roles: ['ministry'], organisationCode: 'SRC-84', what: 'agente du service régional de contrôle (DREETS ARA)' },
  { email: 'certifier@certif.demo', displayName: 'Paul Lefebvre', roles: ['certifier', 'admin'], organisationCode: 'CERT-DEMO', what: 'certificateur Qualiopi (démo)' },
  { email: 'officer@mandataire.demo', displayName: 'Inès Garnier', roles: ['officer', 'manager'], organisationCode: 'MANDATAIRE-DEMO', what: 'contrôleuse d’un organisme mandaté (R.6316-7) par la Région ARA' },
  { email: 'platform@bo.demo', displayName: 'Admin Plateforme', roles: ['platform_admin', 'admin'], organisationCode: 'PLATFORM', what: 'administrateur de la plateforme' },
];

const key = (body: string) => body + luhnCheckDigit(body);

/**
 * Demo providers (fictitious, with valid identifiers) and how their Qualiopi state evolved, so
 * that coverage and the funding check have something to say: certified, lost before funding,
 * never observed, deemed certified, another site of a certified organisation.
 */
const DEMO_PROVIDERS = [
  { siren: key('81234567'), nic: '0012', nda: '84691234567', name: 'Formation Rhône Compétences', city: 'Lyon', postalCode: '69003', region: '84', history: [['TRAINING', true, '2022-01-01'], ['APPRENTICESHIP', true, '2022-01-01']] },
  { siren: key('79876543'), nic: '0021', nda: '11755432109', name: 'Institut Parisien des Métiers', city: 'Paris', postalCode: '75011', region: '11', history: [['TRAINING', true, '2022-01-01'], ['TRAINING', false, '2025-06-01']] },
  { siren: key('83322211'), nic: '0018', nda: '53350001112', name: 'Bilans Bretagne Conseil', city: 'Rennes', postalCode: '35000', region: '53', history: [['SKILLS_ASSESSMENT', true, '2022-03-15'], ['VAE', true, '2023-09-01']] },
  { siren: key('80099988'), nic: '0014', nda: '76310009876', name: 'Académie Occitane du Numérique', city: 'Toulouse', postalCode: '31000', region: '76', history: [] },
  { siren: key('19690001'), nic: '0010', nda: '84690000001', name: 'Université Lumière (démo)', city: 'Lyon', postalCode: '69007', region: '84', history: [], exemption: 'HIGHER_EDUCATION' },
] as const;

/** Loads the demo data when the database has no demo users. Returns whether it did. */
@Injectable()
export class DemoSeeder {
  constructor(
    private readonly db: Db,
    private readonly users: UsersService,
    private readonly actions: ActionsService,
    private readonly checks: ChecksService,
    private readonly findings: FindingsService,
    private readonly procedure: CheckProcedureService,
    private readonly sharing: CheckSharingService,
    private readonly mandates: MandatesService,
    private readonly leads: LeadFunderService,
    private readonly reports: ReportsService,
    private readonly submission: SubmissionService,
  ) {}

  private async actorOf(email: string): Promise<Actor> {
    const [u] = await this.db.shared<{ id: string; organisation_id: string; organisation_kind: OrganisationKind; roles: Role[] }>(
      `SELECT u.id, u.organisation_id, p.organisation_kind, p.roles FROM auth_user_by_email($1) u CROSS JOIN LATERAL auth_principal(u.id) p`,
      [email],
    );
    return { kind: 'user', id: u.id, organisationId: u.organisation_id, organisationKind: u.organisation_kind, roles: effectiveRoles(u.roles), scopes: [], label: email };
  }

  /**
   * Shared registry rows, written with the owner's connection (`owner`): the application role may
   * not write shared tables. The demo certifier is recorded as every demo provider's certifier, and
   * their history as its decisions.
   */
  private async seedRegistry(owner: OwnerQuery): Promise<void> {
    const [certifier] = await owner<{ id: string }>(`SELECT id FROM organisations WHERE code = 'CERT-DEMO'`);
    for (const p of DEMO_PROVIDERS) {
      const siret = key(p.siren + p.nic);
      await owner(
        `INSERT INTO providers (nda, siren, siret, name, street, postal_code, city, region, last_declaration_date)
         VALUES ($1, $2, $3, $4, '1 rue de la Démo', $5, $6, $7, '2026-03-31') ON CONFLICT (nda) DO NOTHING`,
        [p.nda, p.siren, siret, p.name, p.postalCode, p.city, p.region],
      );
      for (const [category, certified, on] of p.history) {
        await owner(
          `INSERT INTO certification_observations (nda, category, certified, observed_on, source, certifier, recorded_by_organisation)
           VALUES ($1, $2, $3, $4, 'CERTIFIER_DECISION', 'Certificateur Démo (organisme certificateur fictif)', $5)`,
          [p.nda, category, certified, on, certifier.id],
        );
      }
      if (p.history.length) {
        await owner(`INSERT INTO provider_certifiers (siren, certifier_id, source) VALUES ($1, $2, 'démo : certificat Qualiopi fictif') ON CONFLICT (siren) DO NOTHING`, [
          p.siren,
          certifier.id,
        ]);
      }
      if ('exemption' in p) {
        await owner(
          `INSERT INTO exemptions (kind, siren, categories, valid_from, legal_source) VALUES ('HIGHER_EDUCATION', $1, '{TRAINING,SKILLS_ASSESSMENT,VAE,APPRENTICESHIP}', '2022-01-01', 'Code du travail L.6316-4 II')`,
          [p.siren],
        );
      }
    }
  }

  /** Funded actions of two funders on those providers (one on another site of a certified organisation). */
  private async seedActions(): Promise<string[]> {
    const atlas = await this.actorOf('officer@atlas.demo');
    const cdc = await this.actorOf('officer@cdc.demo');
    const [lyon, paris, rennes, toulouse, university] = DEMO_PROVIDERS;
    const plan: [Actor, (typeof DEMO_PROVIDERS)[number], string, string, string, number, string][] = [
      [atlas, lyon, 'TRAINING', 'RNCP37098', '2026-02-10', 4200, '0012'],
      [atlas, lyon, 'APPRENTICESHIP', 'RNCP35341', '2025-09-01', 7800, '0012'],
      [atlas, lyon, 'TRAINING', 'RS5635', '2026-04-02', 1900, '0027'],
      [atlas, paris, 'TRAINING', 'RNCP36004', '2025-09-15', 5200, '0021'],
      [atlas, paris, 'TRAINING', 'RNCP36004', '2025-03-10', 5100, '0021'],
      [atlas, toulouse, 'TRAINING', 'RS6012', '2026-01-20', 2300, '0014'],
      [cdc, rennes, 'SKILLS_ASSESSMENT', '', '2026-02-01', 1500, '0018'],
      [cdc, rennes, 'VAE', 'RNCP34567', '2026-05-12', 2400, '0018'],
      [cdc, university, 'TRAINING', 'RNCP31002', '2026-01-08', 3200, '0010'],
      [cdc, paris, 'TRAINING', 'RS5635', '2025-11-03', 1450, '0021'],
    ];
    const atlasIds: string[] = [];
    let n = 1;
    for (const [actor, provider, category, code, decidedOn, amount, nic] of plan) {
      const start = new Date(`${decidedOn}T00:00:00Z`);
      start.setUTCDate(start.getUTCDate() + 30);
      const { action } = await this.actions.upsert(actor, {
        externalRef: `DEMO-${String(n++).padStart(4, '0')}`,
        providerSiret: key(provider.siren + nic),
        category: category as never,
        certificationCode: code || null,
        formacode: code ? null : '15081',
        modality: 'ON_SITE',
        region: provider.region,
        fundingDecisionDate: decidedOn,
        startDate: start.toISOString().slice(0, 10),
        hoursPerTrainee: 35,
        trainees: 8,
        priceExclVat: amount,
        amountFunded: amount,
      });
      if (actor === atlas && provider === lyon) atlasIds.push(action.id);
    }
    return atlasIds;
  }

  /**
   * Prices that make one usable price reference (RS5635 on site in Auvergne-Rhône-Alpes, 2026:
   * nine actions of three funders at four providers) and one extreme price for OPCO Atlas, so the
   * worker's first price recompute shows an anomaly to review.
   */
  private async seedPrices(): Promise<void> {
    const funders = [await this.actorOf('officer@atlas.demo'), await this.actorOf('officer@cdc.demo'), await this.actorOf('officer@ara.demo')];
    const [lyon, paris, , toulouse, university] = DEMO_PROVIDERS;
    const sites = [key(lyon.siren + '0027'), key(paris.siren + paris.nic), key(toulouse.siren + toulouse.nic), key(university.siren + university.nic)];
    // EUR per hour per trainee; 21 hours, 6 trainees each.
    const units = [24, 26, 27, 28, 29, 30, 31, 33, 95];
    for (const [i, unit] of units.entries()) {
      const actor = unit === 95 ? funders[0] : funders[i % 3];
      await this.actions.upsert(actor, {
        externalRef: `DEMO-PRIX-${String(i + 1).padStart(2, '0')}`,
        providerSiret: sites[i % 4],
        category: 'TRAINING',
        certificationCode: 'RS5635',
        formacode: null,
        modality: 'ON_SITE',
        region: '84',
        fundingDecisionDate: `2026-0${1 + (i % 6)}-05`,
        startDate: `2026-0${2 + (i % 6)}-02`,
        hoursPerTrainee: 21,
        trainees: 6,
        priceExclVat: unit * 21 * 6,
        amountFunded: unit * 21 * 6,
      });
    }
  }

  /** A draft quality check of OPCO Atlas on the Lyon provider, with its two certification-leading actions. */
  private async seedCheck(actionIds: string[]): Promise<void> {
    const officer = await this.actorOf('officer@atlas.demo');
    const [lyon] = DEMO_PROVIDERS;
    await this.checks.create(officer, {
      providerSiret: key(lyon.siren + lyon.nic),
      providerNda: lyon.nda,
      actionIds: actionIds.slice(0, 2),
      method: 'DOCUMENTARY',
      contact: { name: 'Mme Martin, responsable qualité', email: 'qualite@rhone-competences.demo' },
    });
  }

  /**
   * Sharing (docs/sharing.md): the Caisse des Dépôts completed an RNQ check of the Paris provider
   * (two minor non-conformities, criteria 1 and 2) and shares it with the pool under need-to-know
   * (OPCO Atlas funds that provider, so it sees it in the dossier and its plan leaves it out); the
   * Région mandates the demo mandated body; OPCO Atlas leads the controls of the Lyon provider.
   */
  private async seedSharing(): Promise<void> {
    const [, paris, , , ] = DEMO_PROVIDERS;
    const officer = await this.actorOf('officer@cdc.demo');
    const manager = await this.actorOf('manager@cdc.demo');
    await this.sharing.updateSettings(manager, { needToKnow: true, needToKnowYears: 3 });
    const check = await this.checks.create(officer, {
      providerSiret: key(paris.siren + paris.nic),
      providerNda: paris.nda,
      method: 'DOCUMENTARY',
      scopeContext: { categories: ['TRAINING'] },
      contact: { name: 'M. Durand, directeur', email: 'direction@institut-parisien.demo' },
    });
    const nonConformities: Record<string, string> = {
      '1': 'Les prérequis ne sont pas publiés sur le site.',
      '8': 'Le positionnement à l’entrée n’est pas tracé pour deux stagiaires sur cinq.',
    };
    for (const [code, point] of Object.entries(check.scope.points)) {
      if (!point.applicable) continue;
      const comment = nonConformities[code];
      await this.findings.recordFinding(officer, check.id, code, comment ? { grade: 'MINOR_NC', comment, evidenceRefs: [`DEMO-PIECE-${code}`] } : { grade: 'COMPLIANT', evidenceRefs: [] });
    }
    await this.procedure.notify(officer, check.id, {});
    await this.procedure.recordResponse(officer, check.id, { text: 'Les prérequis sont désormais en ligne ; la fiche de positionnement est ajoutée au dossier.' });
    await this.checks.complete(manager, check.id);
    await this.sharing.share(manager, check.id, { mode: 'POOL' });

    const [body] = await this.db.shared<{ id: string }>(`SELECT id FROM organisations WHERE code = 'MANDATAIRE-DEMO'`);
    await this.mandates.create(await this.actorOf('manager@ara.demo'), { bodyId: body.id, validFrom: '2026-01-01', reference: 'Convention de mandat de contrôle 2026-ARA-01' });
    const [lyon] = DEMO_PROVIDERS;
    await this.leads.claim(await this.actorOf('manager@atlas.demo'), key(lyon.siren + lyon.nic), 'Premier financeur de l’organisme (apprentissage et formation).');
  }

  /**
   * A completed RNQ check of OPCO Atlas on the Lyon provider with a major non-conformity on
   * indicator 1, and a report resting on it, submitted: sealed, its case for the demo certifier
   * (the provider's) delivered by the worker to the built-in inbox once it runs. A second report
   * stays a draft (its claim on indicator 2 is not substantiated: the builder shows why).
   */
  private async seedReport(): Promise<void> {
    const officer = await this.actorOf('officer@atlas.demo');
    const manager = await this.actorOf('manager@atlas.demo');
    const [lyon] = DEMO_PROVIDERS;
    const siret = key(lyon.siren + lyon.nic);
    const check = await this.checks.create(officer, {
      providerSiret: siret,
      providerNda: lyon.nda,
      method: 'DOCUMENTARY',
      scopeContext: { categories: ['TRAINING'] },
      contact: { name: 'Mme Martin, responsable qualité', email: 'qualite@rhone-competences.demo' },
    });
    for (const [code, scope] of Object.entries(check.scope.points)) {
      if (!scope.applicable) continue;
      await this.findings.recordFinding(officer, check.id, code, code === '1'
        ? { grade: 'MAJOR_NC', comment: 'Les prérequis, délais d’accès et tarifs ne sont publiés nulle part (site, catalogue, devis).', evidenceRefs: ['CAPTURE-SITE-2026-01'] }
        : { grade: 'COMPLIANT' });
    }
    // Today in the provider's region (Lyon): the receipt may not precede the notification there.
    await this.procedure.notify(officer, check.id, { receivedOn: localDateIn(lyon.region, new Date()) });
    await this.procedure.recordResponse(officer, check.id, { text: 'L’organisme indique que son site est en refonte.' });
    const completed = await this.checks.complete(manager, check.id);
    const narrative =
      'Le contrôle documentaire mené par OPCO Atlas a établi que l’organisme ne publie aucune information sur les prérequis, les délais d’accès ni les tarifs de ses formations. ' +
      'Malgré la procédure contradictoire, l’organisme n’a produit aucune pièce montrant que cette information est accessible au public avant l’entrée en formation.';
    const report = await this.reports.create(officer, { providerSiret: siret, providerNda: lyon.nda, title: 'Information du public absente (indicateur 1)', claims: [{ kind: 'INDICATOR', code: '1' }], narrative });
    await this.reports.addGround(officer, report.id, { kind: 'CHECK_VERSION', checkId: check.id, revision: completed.revision });
    await this.submission.submit(manager, report.id);
    const draft = await this.reports.create(officer, { providerSiret: siret, providerNda: lyon.nda, title: 'Brouillon : indicateurs 1 et 2', claims: [{ kind: 'INDICATOR', code: '1' }, { kind: 'INDICATOR', code: '2' }], narrative });
    await this.reports.addGround(officer, draft.id, { kind: 'CHECK_VERSION', checkId: check.id, revision: completed.revision });
  }

  async seedIfEmpty(owner: OwnerQuery): Promise<boolean> {
    const [{ n }] = await this.db.shared<{ n: number }>(`SELECT count(*)::int AS n FROM auth_user_by_email('platform@bo.demo')`);
    if (n > 0) return false;
    await owner(
      `INSERT INTO organisations (code, kind, name) VALUES ('CERT-DEMO', 'CERTIFIER', 'Certificateur Démo (organisme certificateur fictif)'),
              ('MANDATAIRE-DEMO', 'MANDATED_BODY', 'Contrôles Mutualisés Démo (organisme mandaté fictif)')
       ON CONFLICT (code) DO NOTHING`,
    );
    const orgs = await this.db.shared<{ id: string; code: string; kind: OrganisationKind }>(`SELECT id, code, kind FROM organisations`);
    const byCode = new Map(orgs.map((o) => [o.code, o]));
    for (const user of DEMO_USERS) {
      const org = byCode.get(user.organisationCode)!;
      await this.db.tx({ organisationId: org.id }, (tx) =>
        this.users.createIn(tx, { kind: 'system', id: null, organisationId: org.id, label: 'demo-seed' }, org, {
          email: user.email,
          displayName: user.displayName,
          roles: user.roles,
          password: DEMO_PASSWORD,
        }),
      );
    }
    await this.seedRegistry(owner);
    await this.seedCheck(await this.seedActions());
    await this.seedPrices();
    await this.seedSharing();
    await this.seedReport();
    return true;
  }
}
