import { Injectable } from '@nestjs/common';
import { AppError, FieldError } from '@bo/core';
import { Db, Tx } from '@bo/database';
import { Actor, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';
import { DEFAULT_MINOR_THRESHOLD, GRADES, PointMapping } from '../rules';
import { BUILTIN_FRAMEWORK_CODES } from './builtin';

export type FrameworkKind = 'RNQ' | 'SERVICE_FAIT' | 'FUNDER_GRID';

export interface FrameworkSummary {
  id: string;
  code: string;
  version: number;
  title: string;
  kind: FrameworkKind;
  /** True for the caller's own grid; false for a built-in framework. */
  owned: boolean;
  pointCount: number;
  createdAt: string;
}

export interface FrameworkPointView {
  code: string;
  position: number;
  group: string | null;
  title: string;
  rules: Record<string, unknown>;
}

export interface FrameworkView extends FrameworkSummary {
  grading: unknown;
  source: string | null;
  points: FrameworkPointView[];
}

export interface FrameworkRef {
  code: string;
  version: number;
}

export interface CreateFrameworkInput {
  code: string;
  title: string;
  points: { code: string; title: string; group?: string; majorOnly?: boolean }[];
  grading?: { minorThreshold?: number };
  source?: string;
}

export interface CreateMappingInput {
  source: FrameworkRef;
  target: FrameworkRef;
  title?: string;
  pairs: PointMapping[];
}

export interface MappingView {
  id: string;
  title: string | null;
  source: FrameworkRef & { id: string };
  target: FrameworkRef & { id: string };
  pairs: PointMapping[];
  createdAt: string;
}

export interface FrameworkRow {
  id: string;
  code: string;
  version: number;
  title: string;
  kind: FrameworkKind;
  organisation_id: string | null;
  grading: unknown;
  source: string | null;
  created_at: Date;
  point_count?: string;
}

export interface PointRow {
  code: string;
  position: number;
  group_code: string | null;
  title: string;
  rules: Record<string, unknown>;
}

interface MappingRow {
  id: string;
  title: string | null;
  source_framework_id: string;
  target_framework_id: string;
  pairs: PointMapping[];
  created_at: Date;
  source_code: string;
  source_version: number;
  target_code: string;
  target_version: number;
}

const summaryOf = (r: FrameworkRow): FrameworkSummary => ({
  id: r.id,
  code: r.code,
  version: r.version,
  title: r.title,
  kind: r.kind,
  owned: r.organisation_id !== null,
  pointCount: Number(r.point_count ?? 0),
  createdAt: r.created_at.toISOString(),
});

const pointOf = (p: PointRow): FrameworkPointView => ({ code: p.code, position: p.position, group: p.group_code, title: p.title, rules: p.rules });

const mappingOf = (r: MappingRow): MappingView => ({
  id: r.id,
  title: r.title,
  source: { id: r.source_framework_id, code: r.source_code, version: r.source_version },
  target: { id: r.target_framework_id, code: r.target_code, version: r.target_version },
  pairs: r.pairs,
  createdAt: r.created_at.toISOString(),
});

/** The minor-NC threshold of a framework's grading (a setting of the version), or the default. */
export function minorThresholdOf(grading: unknown): number {
  const value = grading && typeof grading === 'object' && !Array.isArray(grading) ? (grading as { minorThreshold?: unknown }).minorThreshold : undefined;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : DEFAULT_MINOR_THRESHOLD;
}

/**
 * Control frameworks: the built-in ones (RNQ, service fait, the illustrative grid) readable by
 * all, and each funder's own grids and mapping sets, visible to that funder only (row-level
 * security: another funder's grid answers 404, as if it did not exist).
 */
@Injectable()
export class FrameworksService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
  ) {}


  async list(actor: Actor): Promise<FrameworkSummary[]> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const rows = await tx.query<FrameworkRow>(
        `SELECT f.*, (SELECT count(*) FROM framework_points p WHERE p.framework_id = f.id) AS point_count
           FROM frameworks f ORDER BY f.organisation_id NULLS FIRST, f.code, f.version`,
      );
      return rows.map(summaryOf);
    });
  }

  async get(actor: Actor, code: string, version: number): Promise<FrameworkView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const framework = await this.find(tx, { code, version });
      const points = await this.points(tx, framework.id);
      return { ...summaryOf({ ...framework, point_count: String(points.length) }), grading: framework.grading, source: framework.source, points: points.map(pointOf) };
    });
  }

  /** The framework a code and version name for the caller (its own grid, or a built-in one). */
  async find(tx: Tx, ref: FrameworkRef): Promise<FrameworkRow> {
    const row = await tx.one<FrameworkRow>(
      `SELECT * FROM frameworks WHERE code = $1 AND version = $2 ORDER BY organisation_id NULLS LAST LIMIT 1`,
      [ref.code, ref.version],
    );
    if (!row) throw new AppError('FRAMEWORK.NOT_FOUND', `No framework ${ref.code} version ${ref.version}.`);
    return row;
  }

  async findById(tx: Tx, id: string): Promise<FrameworkRow> {
    const row = await tx.one<FrameworkRow>(`SELECT * FROM frameworks WHERE id = $1`, [id]);
    if (!row) throw new AppError('FRAMEWORK.NOT_FOUND', `No framework ${id}.`);
    return row;
  }

  async points(tx: Tx, frameworkId: string): Promise<PointRow[]> {
    return tx.query<PointRow>(`SELECT code, position, group_code, title, rules FROM framework_points WHERE framework_id = $1 ORDER BY position, code`, [frameworkId]);
  }

  /** A funder's grid; the same code again creates the next version. */
  async create(actor: Actor, input: CreateFrameworkInput): Promise<FrameworkView> {
    const errors: FieldError[] = [];
    if (BUILTIN_FRAMEWORK_CODES.includes(input.code.toUpperCase())) errors.push({ field: 'code', message: `${input.code} is a built-in framework code` });
    const seen = new Set<string>();
    input.points.forEach((p, i) => {
      if (seen.has(p.code)) errors.push({ field: `points[${i}].code`, message: `duplicate point code ${p.code}` });
      seen.add(p.code);
    });
    if (errors.length) throw new AppError('FRAMEWORK.INVALID', 'The grid is not valid.', { errors });
    const grading = { grades: GRADES, minorThreshold: input.grading?.minorThreshold ?? DEFAULT_MINOR_THRESHOLD };

    return this.db.tx(tenantOf(actor), async (tx) => {
      // Serialises concurrent versions of the same grid.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`framework:${actor.organisationId}:${input.code}`]);
      const last = await tx.one<{ version: number | null }>(
        `SELECT max(version) AS version FROM frameworks WHERE organisation_id = $1 AND code = $2`,
        [actor.organisationId, input.code],
      );
      const version = (last?.version ?? 0) + 1;
      const framework = await tx.one<FrameworkRow>(
        `INSERT INTO frameworks (code, version, organisation_id, title, kind, grading, source, created_by)
         VALUES ($1, $2, $3, $4, 'FUNDER_GRID', $5, $6, $7) RETURNING *`,
        [input.code, version, actor.organisationId, input.title, JSON.stringify(grading), input.source ?? null, actor.kind === 'user' ? actor.id : null],
      );
      const points = input.points.map((p, i) => ({ code: p.code, position: i + 1, groupCode: p.group ?? null, title: p.title, rules: { majorOnly: p.majorOnly ?? false } }));
      await tx.query(
        `INSERT INTO framework_points (framework_id, code, position, group_code, title, rules)
         SELECT $1, p.code, p.position, p."groupCode", p.title, p.rules
           FROM jsonb_to_recordset($2::jsonb) AS p(code text, position int, "groupCode" text, title text, rules jsonb)`,
        [framework!.id, JSON.stringify(points)],
      );
      const view: FrameworkView = {
        ...summaryOf({ ...framework!, point_count: String(points.length) }),
        grading,
        source: framework!.source,
        points: (await this.points(tx, framework!.id)).map(pointOf),
      };
      await this.audit.record(tx, actor, { action: 'framework.created', entityType: 'framework', entityId: view.id, after: view });
      return view;
    });
  }

  /** A mapping set between two framework versions the caller can read; every code must exist. */
  async createMapping(actor: Actor, input: CreateMappingInput): Promise<MappingView> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const source = await this.find(tx, input.source);
      const target = await this.find(tx, input.target);
      if (source.id === target.id) {
        throw new AppError('FRAMEWORK.INVALID', 'A mapping set links two different framework versions.', { errors: [{ field: 'target', message: 'same as source' }] });
      }
      const sourceCodes = new Set((await this.points(tx, source.id)).map((p) => p.code));
      const targetCodes = new Set((await this.points(tx, target.id)).map((p) => p.code));
      const errors: FieldError[] = [];
      const unique = new Map<string, PointMapping>();
      input.pairs.forEach((pair, i) => {
        if (!sourceCodes.has(pair.sourceCode)) errors.push({ field: `pairs[${i}].sourceCode`, message: `no point ${pair.sourceCode} in ${source.code} v${source.version}` });
        if (!targetCodes.has(pair.targetCode)) errors.push({ field: `pairs[${i}].targetCode`, message: `no point ${pair.targetCode} in ${target.code} v${target.version}` });
        unique.set(`${pair.sourceCode}\u0000${pair.targetCode}`, { sourceCode: pair.sourceCode, targetCode: pair.targetCode });
      });
      if (errors.length) throw new AppError('FRAMEWORK.INVALID', 'The mapping set names points that do not exist.', { errors });
      const row = await tx.one<{ id: string; created_at: Date }>(
        `INSERT INTO framework_mappings (organisation_id, source_framework_id, target_framework_id, title, pairs, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, created_at`,
        [actor.organisationId, source.id, target.id, input.title ?? null, JSON.stringify([...unique.values()]), actor.kind === 'user' ? actor.id : null],
      );
      const view = await this.loadMapping(tx, row!.id);
      await this.audit.record(tx, actor, { action: 'framework_mapping.created', entityType: 'framework_mapping', entityId: view.id, after: view });
      return view;
    });
  }

  async loadMapping(tx: Tx, id: string): Promise<MappingView> {
    const row = await tx.one<MappingRow>(
      `SELECT m.*, s.code AS source_code, s.version AS source_version, t.code AS target_code, t.version AS target_version
         FROM framework_mappings m
         JOIN frameworks s ON s.id = m.source_framework_id
         JOIN frameworks t ON t.id = m.target_framework_id
        WHERE m.id = $1`,
      [id],
    );
    if (!row) throw new AppError('FRAMEWORK.NOT_FOUND', `No mapping set ${id}.`);
    return mappingOf(row);
  }
}
