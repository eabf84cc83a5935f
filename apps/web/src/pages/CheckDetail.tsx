import type { Check, Framework } from '../api';
import { ErrorMessage, Link, Loading } from '../components';
import { CATEGORY_LABEL, GRADE_LABEL, METHOD_LABEL, OUTCOME_LABEL, STATE_LABEL, date, label } from '../labels';
import { useApi } from '../useApi';

function byCode(a: string, b: string): number {
  return a.localeCompare(b, 'fr', { numeric: true });
}

export function CheckDetail({ id }: { id: string }) {
  const check = useApi<Check>(`/checks/${id}`);
  const c = check.data;
  // The point titles come from the framework; without them (no access, error) the codes are shown.
  const framework = useApi<Framework>(c ? `/frameworks/${encodeURIComponent(c.framework.code)}/versions/${c.framework.version}` : null);
  const titles = new Map((framework.data?.points ?? []).map((p) => [p.code, p.title]));
  const findings = new Map((c?.findings ?? []).map((f) => [f.pointCode, f]));

  return (
    <section>
      <p>
        <Link to="/">← Tableau de bord</Link>
      </p>
      <h1>Détail du contrôle</h1>
      {check.loading && <Loading />}
      <ErrorMessage error={check.error} />
      {c && (
        <>
          <dl className="facts">
            <dt>Organisme (SIRET)</dt>
            <dd>
              <Link to={`/organismes?siret=${c.providerSiret}`}>{c.providerSiret}</Link>
              {c.providerNda && ` — NDA ${c.providerNda}`}
            </dd>
            <dt>Référentiel</dt>
            <dd>
              {framework.data?.title ?? c.framework.code} (version {c.framework.version}) — révision {c.revision}
            </dd>
            <dt>Méthode</dt>
            <dd>{label(METHOD_LABEL, c.method)}</dd>
            <dt>État</dt>
            <dd data-testid="check-state">{label(STATE_LABEL, c.state)}</dd>
            <dt>Résultat</dt>
            <dd>{c.outcome ? label(OUTCOME_LABEL, c.outcome) : 'Pas encore conclu'}</dd>
            <dt>Catégories</dt>
            <dd>{c.scope.categories.map((x) => label(CATEGORY_LABEL, x)).join(', ') || '—'}</dd>
            <dt>Créé le</dt>
            <dd>{date(c.createdAt)}</dd>
            <dt>Notifié le</dt>
            <dd>{date(c.procedure.notifiedAt)}</dd>
            <dt>Reçu par l’organisme le</dt>
            <dd>{date(c.procedure.providerReceivedOn)}</dd>
            <dt>Réponse attendue avant le</dt>
            <dd>{date(c.procedure.responseDueAt)}</dd>
            <dt>Clôturé le</dt>
            <dd>{date(c.completedAt)}</dd>
          </dl>

          <h2>
            Périmètre et constats ({c.scope.counts.applicable} indicateur(s) applicable(s) sur {c.scope.counts.total})
          </h2>
          <table data-testid="scope">
            <thead>
              <tr>
                <th>Indicateur</th>
                <th>Intitulé</th>
                <th>Applicable</th>
                <th>Constat</th>
                <th>Commentaire</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(c.scope.points)
                .sort(([a], [b]) => byCode(a, b))
                .map(([code, point]) => {
                  const finding = findings.get(code);
                  return (
                    <tr key={code} className={point.applicable ? undefined : 'muted'}>
                      <td>{code}</td>
                      <td>{titles.get(code) ?? point.title ?? '—'}</td>
                      <td>{point.applicable ? 'Oui' : `Non${point.reason ? ` — ${point.reason}` : ''}`}</td>
                      <td>{finding ? label(GRADE_LABEL, finding.grade) : '—'}</td>
                      <td>{finding?.comment ?? ''}</td>
                    </tr>
                  );
                })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
