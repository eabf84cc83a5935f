import { Injectable } from '@nestjs/common';
import { AppError } from '@bo/core';
import { Db } from '@bo/database';
import { Actor, OrganisationKind, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';
import { CreateUserInput, UserView, UsersService } from './users.service';

export interface OrganisationView {
  id: string;
  code: string;
  kind: OrganisationKind;
  funderKind: string | null;
  name: string;
  region: string | null;
  active: boolean;
}

interface OrganisationRow {
  id: string;
  code: string;
  kind: OrganisationKind;
  funder_kind: string | null;
  name: string;
  region: string | null;
  active: boolean;
}

const toView = (r: OrganisationRow): OrganisationView => ({
  id: r.id,
  code: r.code,
  kind: r.kind,
  funderKind: r.funder_kind,
  name: r.name,
  region: r.region,
  active: r.active,
});

export interface CreateOrganisationInput {
  code: string;
  kind: Exclude<OrganisationKind, 'PLATFORM'>;
  funderKind?: string;
  name: string;
  region?: string;
  firstAdmin?: CreateUserInput;
}

/** The directory of organisations (public within the platform) and its administration. */
@Injectable()
export class OrganisationsService {
  constructor(
    private readonly db: Db,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  async list(filter: { kind?: string; q?: string }): Promise<OrganisationView[]> {
    const rows = await this.db.shared<OrganisationRow>(
      `SELECT id, code, kind, funder_kind, name, region, active FROM organisations
        WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR code ILIKE '%' || $2 || '%' OR name ILIKE '%' || $2 || '%')
        ORDER BY kind, code`,
      [filter.kind ?? null, filter.q ?? null],
    );
    return rows.map(toView);
  }

  async get(id: string): Promise<OrganisationView> {
    const [row] = await this.db.shared<OrganisationRow>(`SELECT id, code, kind, funder_kind, name, region, active FROM organisations WHERE id = $1`, [id]);
    if (!row) throw new AppError('ORGANISATION.NOT_FOUND', `No organisation ${id}.`);
    return toView(row);
  }

  /**
   * A platform administrator enters an organisation (a certifier, a mandated body, ...) and,
   * optionally, its first admin, in one transaction: the user is written under the new
   * organisation's row-level security, the events go to both chains.
   */
  async create(actor: Actor, input: CreateOrganisationInput): Promise<{ organisation: OrganisationView; firstAdmin?: UserView }> {
    if ((input.kind === 'FUNDER') !== (input.funderKind !== undefined)) {
      throw new AppError('REQUEST.VALIDATION', 'funderKind is required for a funder and only for a funder.', {
        errors: [{ field: 'funderKind', message: 'required exactly when kind is FUNDER' }],
      });
    }
    return this.db.tx(tenantOf(actor), async (tx) => {
      const taken = await tx.one(`SELECT 1 FROM organisations WHERE code = $1`, [input.code]);
      if (taken) throw new AppError('ORGANISATION.CODE_TAKEN', `The code ${input.code} is taken.`, { errors: [{ field: 'code', message: 'already used' }] });
      // Shared directory: written through the function that checks the platform's authority (migration 0009).
      const [{ id }] = await tx.query<{ id: string }>(`SELECT platform_create_organisation($1, $2, $3, $4, $5) AS id`, [
        input.code,
        input.kind,
        input.funderKind ?? null,
        input.name,
        input.region ?? null,
      ]);
      const row = await tx.one<OrganisationRow>(`SELECT id, code, kind, funder_kind, name, region, active FROM organisations WHERE id = $1`, [id]);
      const organisation = toView(row!);
      await this.audit.record(tx, actor, { action: 'organisation.created', entityType: 'organisation', entityId: organisation.id, after: organisation });
      let firstAdmin: UserView | undefined;
      if (input.firstAdmin) {
        await tx.query(`SELECT set_config('app.org_id', $1, true)`, [organisation.id]);
        firstAdmin = await this.users.createIn(tx, actor, { id: organisation.id, kind: organisation.kind }, input.firstAdmin);
        await tx.query(`SELECT set_config('app.org_id', $1, true)`, [actor.organisationId]);
      }
      return { organisation, firstAdmin };
    });
  }
}
