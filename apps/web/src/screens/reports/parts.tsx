// Shared parts of the report screens: French labels (the one table of libs/documents), chips,
// the seal block and the cases table.
import { Chip } from '@mui/material';
import { LABELS_FR } from '../../../../../libs/documents/src/labels.fr';
import type { Dto } from '../../api/dto';
import { dateTime } from '../../i18n/format';
import { Facts } from '../../ui/Section';
import { SimpleTable } from '../../ui/SimpleTable';

type ReportCase = Dto<'CaseDto'>;
type SealVerification = Dto<'SealVerificationDto'>;

export const REPORT_STATUS: Record<string, string> = LABELS_FR.reportStatus;
export const CLAIM_KIND: Record<string, string> = LABELS_FR.claimKind;
export const RECIPIENT_KIND: Record<string, string> = LABELS_FR.recipientKind;
export const DELIVERY_STATUS: Record<string, string> = LABELS_FR.deliveryStatus;
export const HANDLING_STATUS: Record<string, string> = LABELS_FR.handlingStatus;
export const CASE_OUTCOME: Record<string, string> = LABELS_FR.caseOutcome;
export const CASE_EVENT: Record<string, string> = LABELS_FR.caseEvent;
export const GRADE: Record<string, string> = LABELS_FR.grade;

export const text = (table: Record<string, string>, code: string | null | undefined) => (code ? (table[code] ?? code) : '—');

export function ReportStatusChip({ value }: { value: string }) {
  const color = value === 'SUBMITTED' ? 'primary' : value === 'CLOSED' ? 'success' : 'default';
  return <Chip size="small" color={color} label={text(REPORT_STATUS, value)} data-testid="report-status" />;
}

export function DeliveryChip({ value }: { value: string }) {
  const color = value === 'DELIVERED' ? 'success' : value === 'DEAD_LETTER' ? 'error' : 'warning';
  return <Chip size="small" color={color} label={text(DELIVERY_STATUS, value)} />;
}

export function SealFacts({ v }: { v: SealVerification }) {
  const yes = (b: boolean) => (b ? 'Oui' : 'NON');
  return (
    <Facts
      items={[
        ['Sceau vérifié', <strong key="v" data-testid="seal-valid">{v.valid ? 'Valide' : 'INVALIDE'}</strong>],
        ['Empreinte SHA-256', <code key="h">{v.packageSha256}</code>],
        ['Clé de signature', v.keyId],
        ['Paquet stocké intact', yes(v.checks.storedPackageIntact)],
        ['Conforme aux enregistrements', yes(v.checks.packageMatchesRecords)],
        ['Signature Ed25519', yes(v.checks.signatureValid)],
        ['Dossier PDF intact', yes(v.checks.pdfIntact)],
        ['Fondements intacts', yes(v.checks.groundsIntact)],
        ['Vérifié le', dateTime(v.verifiedAt)],
      ]}
    />
  );
}

export function CaseEvents({ c }: { c: ReportCase }) {
  return (
    <SimpleTable
      caption="Historique du dossier"
      rows={c.events}
      rowKey={(e) => e.id}
      empty="Aucun événement."
      columns={[
        { label: 'Date', render: (e) => dateTime(e.at), nowrap: true },
        { label: 'Événement', render: (e) => text(CASE_EVENT, e.kind) },
        { label: 'Texte', render: (e) => e.text ?? '' },
        { label: 'Échéance', render: (e) => (e.dueAt ? dateTime(e.dueAt) : '') },
      ]}
    />
  );
}
