import { DocumentModel, labelFr } from '@bo/documents';

interface PackageDocument {
  report: { id: string; reference: string; title: string; claims: { kind: string; code: string }[]; narrative: string; submittedAt: string; provider: { siret: string; nda: string | null; name: string | null; region: string | null } };
  sender: { name: string; code: string };
  cosigners: { name: string; acceptedAt: string }[];
  recipients: { kind: string; organisationName: string | null; reason: string; legalSources: string[] }[];
  grounds: { id: string; kind: string; contentSha256: string; content: Record<string, unknown> }[];
  attachments?: { sha256: string; fileName?: string | null; personalData: boolean }[];
  senderAuditHead: { seq: number; hash: string } | null;
}

/**
 * The report's PDF dossier, generated once at submission from the sealed package (so the PDF
 * and the package cannot say different things). Personal-data evidence appears by hash only.
 */
export function reportDossierModel(pkg: PackageDocument, seal: { sha256: string; keyId: string; signature: string } | null): DocumentModel {
  const r = pkg.report;
  const findings: string[][] = [];
  const evidence: string[][] = [];
  const anomalies: string[][] = [];
  for (const g of pkg.grounds) {
    if (g.kind === 'CHECK_VERSION') {
      const c = g.content as { checkId: string; revision: number; framework: { code: string }; findings: { pointCode: string; grade: string; comment: string | null; sha256: string }[]; evidence: { id: string; sha256: string; personalData: boolean; included: boolean; fileName?: string | null; recordReference?: string | null }[] };
      for (const f of c.findings.filter((x) => x.grade === 'MINOR_NC' || x.grade === 'MAJOR_NC')) {
        findings.push([`${c.framework.code} ${f.pointCode}`, labelFr('grade', f.grade), f.comment ?? '', `${c.checkId.slice(0, 8)} v${c.revision}`, f.sha256.slice(0, 16)]);
      }
      for (const e of c.evidence) {
        evidence.push([e.included ? (e.fileName ?? e.recordReference ?? e.id) : 'Pièce à caractère personnel (non transmise)', e.personalData ? 'oui' : 'non', e.sha256]);
      }
    } else {
      const a = g.content as { anomalyId: string; kind: string; year: number; category: string };
      anomalies.push([a.anomalyId.slice(0, 8), a.kind, String(a.year), a.category, g.contentSha256.slice(0, 16)]);
    }
  }
  for (const a of pkg.attachments ?? []) {
    evidence.push([a.personalData ? 'Pièce jointe à caractère personnel (non transmise)' : `Pièce jointe : ${a.fileName ?? ''}`, a.personalData ? 'oui' : 'non', a.sha256]);
  }
  return {
    title: seal ? `Signalement ${r.reference}` : `Projet de signalement ${r.reference} (aperçu, non scellé)`,
    subtitle: `${r.provider.name ?? ''} — SIRET ${r.provider.siret}${r.provider.nda ? ` — NDA ${r.provider.nda}` : ''}`,
    issuer: pkg.sender.name,
    createdAt: new Date(r.submittedAt),
    reference: seal ? `Signalement ${r.reference} — sceau ${seal.sha256.slice(0, 16)}` : `Projet ${r.reference} — non scellé`,
    sections: [
      { heading: 'Objet', paragraphs: [r.title] },
      {
        heading: 'Destinataires et motifs',
        table: {
          columns: [{ header: 'Destinataire', width: 2 }, { header: 'Motif', width: 4 }, { header: 'Fondement', width: 2 }],
          rows: pkg.recipients.map((x) => [`${labelFr('recipientKind', x.kind)} — ${x.organisationName ?? ''}`, x.reason, x.legalSources.join(' ; ')]),
        },
      },
      { heading: 'Financeurs', fields: [['Auteur', pkg.sender.name], ...pkg.cosigners.map((c): [string, string] => ['Cosignataire', c.name])] },
      { heading: 'Manquements invoqués', table: { columns: [{ header: 'Nature', width: 2 }, { header: 'Code', width: 3 }], rows: r.claims.map((c) => [labelFr('claimKind', c.kind), c.code]) } },
      { heading: 'Exposé des faits', paragraphs: r.narrative.split(/\n{2,}/) },
      ...(findings.length ? [{ heading: 'Non-conformités (versions de contrôle retenues)', table: { columns: [{ header: 'Point', width: 2 }, { header: 'Constat', width: 2 }, { header: 'Commentaire', width: 4 }, { header: 'Contrôle', width: 2 }, { header: 'Empreinte', width: 2 }], rows: findings } }] : []),
      ...(anomalies.length ? [{ heading: 'Anomalies de prix confirmées', table: { columns: [{ header: 'Anomalie', width: 2 }, { header: 'Nature', width: 2 }, { header: 'Année', width: 1 }, { header: 'Catégorie', width: 2 }, { header: 'Empreinte', width: 2 }], rows: anomalies } }] : []),
      ...(evidence.length ? [{ heading: 'Pièces (par empreinte SHA-256)', table: { columns: [{ header: 'Pièce', width: 3 }, { header: 'Données personnelles', width: 1 }, { header: 'SHA-256', width: 5 }], rows: evidence } }] : []),
      seal ? {
        heading: 'Sceau',
        fields: [
          ['Empreinte SHA-256 du paquet', seal.sha256],
          ['Clé de signature (Ed25519)', seal.keyId],
          ['Signature', seal.signature],
          ['Tête de la piste d’audit', pkg.senderAuditHead ? `n° ${pkg.senderAuditHead.seq} — ${pkg.senderAuditHead.hash}` : '—'],
        ],
        paragraphs: ['Vérification : GET /api/v1/reports/{id}/seal/verify ; clés publiques : GET /api/v1/signing-keys.'],
      } : { heading: 'Aperçu', paragraphs: ['Ce document est un aperçu du projet : il n’est ni scellé ni transmis. Le dossier définitif est produit une seule fois, à la soumission.'] },
    ],
  };
}
