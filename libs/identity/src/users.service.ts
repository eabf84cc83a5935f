import { Injectable } from '@nestjs/common';
import { AppError, Page, decodeCursor, toPage } from '@bo/core';
import { Db, Tx } from '@bo/database';
import { Actor, OrganisationKind, ROLES_BY_ORGANISATION_KIND, Role, hasRole, tenantOf } from '@bo/access';
import { AuditActor, AuditService } from '@bo/audit';
import { hashPassword } from './passwords';
import { AuthService } from './auth.service';

export interface UserView {
  id: string;
  organisationId: string;
  email: string;
  displayName: string;
  roles: Role[];
  disabled: boolean;
  createdAt: string;
  version: number;
}

interface UserRow {
  id: string;
  organisation_id: string;
  email: string;
  display_name: string;
  roles: Role[];
  disabled: boolean;
  created_at: Date;
  version: number;
}

const USER_COLUMNS = 'id, organisation_id, email, display_name, roles, disabled, created_at, version';

export function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    email: row.email,
    displayName: row.display_name,
    roles: row.roles,
    disabled: row.disabled,
    createdAt: row.created_at.toISOString(),
    version: row.version,
  };
}

export interface CreateUserInput {
  email: string;
  displayName: string;
  roles: Role[];
  password?: string;
}

export interface UpdateUserInput {
  displayName?: string;
  roles?: Role[];
  disabled?: boolean;
}

/** Users of one organisation, managed by its admin. Every change is audited. */
@Injectable()
export class UsersService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
  ) {}


  async me(actor: Actor): Promise<UserView & { organisation: { id: string; code: string; kind: string; name: string } }> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await tx.one<UserRow & { org_code: string; org_kind: string; org_name: string }>(
        `SELECT u.id, u.organisation_id, u.email, u.display_name, u.roles, u.disabled, u.created_at, u.version,
                o.code AS org_code, o.kind AS org_kind, o.name AS org_name
           FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = $1`,
        [actor.id],
      );
      if (!row) throw new AppError('USER.NOT_FOUND', 'No such user.');
      return { ...toUserView(row), organisation: { id: row.organisation_id, code: row.org_code, kind: row.org_kind, name: row.org_name } };
    });
  }

  async list(actor: Actor, query: { limit: number; cursor?: string; q?: string }): Promise<Page<UserView>> {
    const after = decodeCursor(query.cursor, ['string']);
    return this.db.tx(tenantOf(actor), async (tx) => {
      const rows = await tx.query<UserRow>(
        `SELECT ${USER_COLUMNS} FROM users
          WHERE ($1::text IS NULL OR email > $1)
            AND ($2::text IS NULL OR email ILIKE '%' || $2 || '%' OR display_name ILIKE '%' || $2 || '%')
          ORDER BY email LIMIT $3`,
        [after?.[0] ?? null, query.q ?? null, query.limit + 1],
      );
      return toPage(rows, query.limit, (r) => [r.email], toUserView);
    });
  }

  async get(actor: Actor, id: string): Promise<UserView> {
    return this.db.tx(tenantOf(actor), async (tx) => toUserView(await this.load(tx, id)));
  }

  private async load(tx: Tx, id: string): Promise<UserRow> {
    const row = await tx.one<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
    if (!row) throw new AppError('USER.NOT_FOUND', `No user ${id}.`);
    return row;
  }

  private assertRoles(kind: OrganisationKind, roles: Role[], actor?: Actor): void {
    const allowed = ROLES_BY_ORGANISATION_KIND[kind];
    const bad = roles.filter((r) => !allowed.includes(r));
    if (bad.length) {
      throw new AppError('USER.ROLE_NOT_ALLOWED', `An organisation of kind ${kind} cannot grant: ${bad.join(', ')}.`, {
        errors: [{ field: 'roles', message: `allowed: ${allowed.join(', ')}` }],
      });
    }
    if (actor && roles.includes('platform_admin') && !hasRole(actor, 'platform_admin')) {
      throw new AppError('ACCESS.FORBIDDEN', 'Only a platform administrator grants platform_admin.');
    }
  }

  /** Creates a user in `organisationId` (the actor's own, or any for the platform's bootstrap). */
  /**
   * Creates a user in `organisation`; the transaction must run under that organisation. `actor` is
   * who asks (a funder admin for its own organisation, a platform admin for a new organisation's
   * first admin, or the seed).
   */
  async createIn(tx: Tx, actor: AuditActor, organisation: { id: string; kind: OrganisationKind }, input: CreateUserInput): Promise<UserView> {
    this.assertRoles(organisation.kind, input.roles, actor.kind === 'system' ? undefined : (actor as Actor));
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    // Taken in this organisation (row-level security shows only its users): the admin sees them anyway.
    const taken = await tx.one(`SELECT 1 FROM users WHERE email = lower($1)`, [input.email]);
    if (taken) throw new AppError('USER.EMAIL_TAKEN', 'A user of your organisation already has this e-mail.', { errors: [{ field: 'email', message: 'already used' }] });
    // Held by another organisation's account: answering so would tell this admin that the address
    // exists elsewhere. The user is created all the same, inert (it never signs in with a
    // password), and the answer is the one of any creation (docs/security.md, enumeration).
    // Only the platform, which sees every organisation, is told.
    const elsewhere = (await tx.one(`SELECT 1 FROM auth_user_by_email($1)`, [input.email])) !== undefined;
    if (elsewhere && actor.kind !== 'system' && hasRole(actor as Actor, 'platform_admin')) {
      throw new AppError('USER.EMAIL_TAKEN', 'Another organisation has an account with this e-mail.', { errors: [{ field: 'email', message: 'already used' }] });
    }
    const row = await tx.one<UserRow>(
      `INSERT INTO users (organisation_id, email, display_name, password_hash, roles, email_held_elsewhere)
       VALUES ($1, lower($2), $3, $4, $5, $6) RETURNING ${USER_COLUMNS}`,
      [organisation.id, input.email, input.displayName, passwordHash, input.roles, elsewhere],
    );
    const view = toUserView(row!);
    await this.audit.record(tx, { ...actor, organisationId: organisation.id }, {
      action: 'user.created',
      entityType: 'user',
      entityId: view.id,
      after: view,
    });
    return view;
  }

  async create(actor: Actor, input: CreateUserInput): Promise<UserView> {
    return this.db.tx(tenantOf(actor), (tx) => this.createIn(tx, actor, { id: actor.organisationId, kind: actor.organisationKind }, input));
  }

  async update(actor: Actor, id: string, input: UpdateUserInput, ifMatchVersion?: (current: number) => void): Promise<UserView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const before = await this.load(tx, id);
      ifMatchVersion?.(before.version);
      if (input.roles) this.assertRoles(actor.organisationKind, input.roles, actor);
      if (id === actor.id && (input.disabled === true || (input.roles && !input.roles.includes('admin')))) {
        throw new AppError('USER.ROLE_NOT_ALLOWED', 'You cannot disable yourself or drop your own admin role.');
      }
      const row = await tx.one<UserRow>(
        `UPDATE users SET display_name = coalesce($2, display_name), roles = coalesce($3, roles),
                disabled = coalesce($4, disabled), updated_at = now(), version = version + 1
          WHERE id = $1 RETURNING ${USER_COLUMNS}`,
        [id, input.displayName ?? null, input.roles ?? null, input.disabled ?? null],
      );
      const after = toUserView(row!);
      if (input.disabled === true) {
        await tx.query(`UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [id]);
      }
      await this.audit.record(tx, actor, {
        action: input.disabled === true && !before.disabled ? 'user.disabled' : 'user.updated',
        entityType: 'user',
        entityId: id,
        before: toUserView(before),
        after,
      });
      return after;
    });
  }

  async unlock(actor: Actor, id: string): Promise<void> {
    await this.db.tx(tenantOf(actor), async (tx) => {
      const user = await this.load(tx, id);
      // An inert user's address is another account's: its counters are not this admin's to clear.
      const [{ inert }] = await tx.query<{ inert: boolean }>(`SELECT email_held_elsewhere AS inert FROM users WHERE id = $1`, [id]);
      if (!inert) await this.auth.unlock(user.email);
      await this.audit.record(tx, actor, { action: 'user.unlocked', entityType: 'user', entityId: id });
    });
  }
}
