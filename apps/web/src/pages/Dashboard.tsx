import type { Action, CheckSummary, Me, Page } from '../api';
import { CoverageBadge, ErrorMessage, Link, Loading } from '../components';
import { CATEGORY_LABEL, OUTCOME_LABEL, STATE_LABEL, date, euros, label } from '../labels';
import { useApi } from '../useApi';

export function Dashboard() {
  const me = useApi<Me>('/me');
  const actions = useApi<Page<Action>>('/actions?limit=50');
  const checks = useApi<Page<CheckSummary>>('/checks?limit=50');

  return (
    <>
      <section>
        <h1>Tableau de bord</h1>
        {me.loading && <Loading />}
        <ErrorMessage error={me.error} />
        {me.data && (
          <p className="identity">
            <strong data-testid="user-name">{me.data.displayName}</strong> · <span data-testid="organisation-name">{me.data.organisation.name}</span>{' '}
            <span className="muted">({me.data.organisation.code})</span>
          </p>
        )}
      </section>

      <section>
        <h2>Actions financées</h2>
        {actions.loading && <Loading />}
        <ErrorMessage error={actions.error} />
        {actions.data && actions.data.items.length === 0 && <p className="muted">Aucune action financée.</p>}
        {actions.data && actions.data.items.length > 0 && (
          <table data-testid="actions">
            <thead>
              <tr>
                <th>Référence</th>
                <th>SIRET de l’organisme</th>
                <th>Catégorie</th>
                <th>Début</th>
                <th className="num">Montant financé</th>
                <th>Certification</th>
              </tr>
            </thead>
            <tbody>
              {actions.data.items.map((a) => (
                <tr key={a.id}>
                  <td>{a.externalRef}</td>
                  <td>
                    <Link to={`/organismes?siret=${a.providerSiret}&categorie=${a.category}`}>{a.providerSiret}</Link>
                  </td>
                  <td>{label(CATEGORY_LABEL, a.category)}</td>
                  <td>{date(a.startDate)}</td>
                  <td className="num">{euros(a.amountFunded)}</td>
                  <td>
                    <CoverageBadge status={a.coverage} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {actions.data?.nextCursor && <p className="muted">Seules les 50 premières actions sont affichées.</p>}
      </section>

      <section>
        <h2>Contrôles</h2>
        {checks.loading && <Loading />}
        <ErrorMessage error={checks.error} />
        {checks.data && checks.data.items.length === 0 && <p className="muted">Aucun contrôle.</p>}
        {checks.data && checks.data.items.length > 0 && (
          <ul className="checks" data-testid="checks">
            {checks.data.items.map((c) => (
              <li key={c.id}>
                <Link to={`/controles/${c.id}`}>Contrôle du {date(c.createdAt)}</Link> — SIRET {c.providerSiret} — <span className={`state state-${c.state.toLowerCase()}`}>{label(STATE_LABEL, c.state)}</span>
                {c.outcome && <> — {label(OUTCOME_LABEL, c.outcome)}</>}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
