import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { Actor } from '@bo/access';
import { LABELS_FR, TabularColumn, csvStream } from '@bo/documents';
import { InboxService } from './inbox.service';
import { ReportsService } from './reports.service';
import type { CaseView, ReportView } from './reports.types';

const frDate = (iso: string | null) => (iso ? iso.slice(0, 10).split('-').reverse().join('/') : '');
const fr = (table: Record<string, string>, code: string | null) => (code ? (table[code] ?? code) : '');

/** Walks every page of a cursor-paged list. */
async function* allPages<T>(page: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string }>): AsyncIterable<T> {
  let cursor: string | undefined;
  do {
    const answer = await page(cursor);
    yield* answer.items;
    cursor = answer.nextCursor;
  } while (cursor);
}

/** The report lists as CSV (French headers and labels), streamed page by page. */
@Injectable()
export class ReportExports {
  constructor(
    private readonly reports: ReportsService,
    private readonly inbox: InboxService,
  ) {}

  reportsCsv(actor: Actor, filter: { status?: string; providerSiret?: string }): Readable {
    const columns: TabularColumn<ReportView>[] = [
      { header: 'Référence', value: (r) => r.reference },
      { header: 'Objet', value: (r) => r.title },
      { header: 'SIRET', value: (r) => r.provider.siret },
      { header: 'Organisme', value: (r) => r.provider.name ?? '' },
      { header: 'Statut', value: (r) => fr(LABELS_FR.reportStatus, r.status) },
      { header: 'Rôle', value: (r) => (r.role === 'OWNER' ? 'Auteur' : 'Cosignataire') },
      { header: 'Manquements', value: (r) => r.claims.map((c) => `${fr(LABELS_FR.claimKind, c.kind)} ${c.code}`).join(', ') },
      { header: 'Destinataires', value: (r) => r.recipients.map((x) => x.organisationName ?? fr(LABELS_FR.recipientKind, x.kind)).join(', ') },
      { header: 'Empreinte du sceau', value: (r) => r.seal?.packageSha256 ?? '' },
      { header: 'Créé le', value: (r) => frDate(r.createdAt) },
      { header: 'Soumis le', value: (r) => frDate(r.submittedAt) },
    ];
    return csvStream(columns, allPages((cursor) => this.reports.list(actor, { ...filter, cursor, limit: 200 })));
  }

  inboxCsv(actor: Actor, filter: { status?: CaseView['handlingStatus'] }): Readable {
    type Row = Awaited<ReturnType<InboxService['list']>>['items'][number];
    const columns: TabularColumn<Row>[] = [
      { header: 'Signalement', value: (c) => c.report.reference },
      { header: 'Objet', value: (c) => c.report.title },
      { header: 'SIRET', value: (c) => c.report.providerSiret },
      { header: 'Organisme', value: (c) => c.report.providerName ?? '' },
      { header: 'Financeur', value: (c) => c.report.senderName },
      { header: 'Traitement', value: (c) => fr(LABELS_FR.handlingStatus, c.handlingStatus) },
      { header: 'Suite', value: (c) => fr(LABELS_FR.caseOutcome, c.outcome) },
      { header: 'Reçu le', value: (c) => frDate(c.delivery.deliveredAt) },
      { header: 'Accusé le', value: (c) => frDate(c.acknowledgedAt) },
      { header: 'Clos le', value: (c) => frDate(c.closedAt) },
      { header: 'Accusé de réception', value: (c) => c.delivery.acknowledgementId ?? '' },
    ];
    return csvStream(columns, allPages((cursor) => this.inbox.list(actor, { status: filter.status ?? undefined, cursor, limit: 200 })));
  }
}
