import { Injectable } from '@nestjs/common';
import { Db } from '@bo/database';
import { OrganisationKind, Role } from '@bo/access';
import { UsersService } from '@bo/identity';

export const DEMO_PASSWORD = 'demo-qualite-2026';

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
  { email: 'platform@bo.demo', displayName: 'Admin Plateforme', roles: ['platform_admin', 'admin'], organisationCode: 'PLATFORM', what: 'administrateur de la plateforme' },
];

/** Loads the demo users when the database has none. Returns whether it did. */
@Injectable()
export class DemoSeeder {
  constructor(
    private readonly db: Db,
    private readonly users: UsersService,
  ) {}

  async seedIfEmpty(): Promise<boolean> {
    const [{ n }] = await this.db.shared<{ n: number }>(`SELECT count(*)::int AS n FROM auth_user_by_email('platform@bo.demo')`);
    if (n > 0) return false;
    await this.db.shared(
      `INSERT INTO organisations (code, kind, name) VALUES ('CERT-DEMO', 'CERTIFIER', 'Certificateur Démo (organisme certificateur fictif)')
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
    return true;
  }
}
