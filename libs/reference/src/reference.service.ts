import { Injectable } from '@nestjs/common';
import { Db } from '@bo/database';
import { JobOutbox } from '@bo/queue';

export interface OrganisationSummary {
  id: string;
  code: string;
  kind: string;
  funderKind: string | null;
  name: string;
  region: string | null;
}

@Injectable()
export class ReferenceService {
  constructor(
    private readonly db: Db,
    private readonly outbox: JobOutbox,
  ) {}

  /** Asks for a reload through the job outbox; runs are serialized by the job's advisory lock. */
  async requestReload(requestedBy: string | null, force: boolean): Promise<string> {
    return this.outbox.addNow('reference.reload', { organisationId: null, requestedBy, force });
  }

  async lastLoad(): Promise<{ sha256: string; rows: number; loadedAt: string } | undefined> {
    const [row] = await this.db.shared<{ sha256: string; rows: number; loaded_at: Date }>(
      `SELECT sha256, rows, loaded_at FROM reference_loads WHERE name = 'reference'`,
    );
    return row ? { sha256: row.sha256, rows: row.rows, loadedAt: row.loaded_at.toISOString() } : undefined;
  }
}
