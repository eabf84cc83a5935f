import { useState, type FormEvent } from 'react';
import type { FundingCheck, Page, Provider } from '../api';
import { CoverageBadge, ErrorMessage, Link, Loading } from '../components';
import { CATEGORY_LABEL, EXEMPTION_LABEL, FLAG_LABEL, date, euros, label } from '../labels';
import { navigate, useLocation } from '../router';
import { useApi } from '../useApi';

const CATEGORIES = ['TRAINING', 'SKILLS_ASSESSMENT', 'VAE', 'APPRENTICESHIP'];

function url(params: Record<string, string | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) search.set(k, v);
  const s = search.toString();
  return `/organismes${s ? `?${s}` : ''}`;
}

export function ProviderSearch() {
  const { params } = useLocation();
  const q = params.get('q') ?? '';
  const siret = params.get('siret');
  const category = params.get('categorie') ?? 'TRAINING';
  const [text, setText] = useState(q);
  const results = useApi<Page<Provider>>(q ? `/providers?q=${encodeURIComponent(q)}&limit=20` : null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(url({ q: text.trim(), siret: null, categorie: null }));
  };

  return (
    <>
      <section>
        <h1>Recherche d’organisme</h1>
        <form className="search" onSubmit={submit} role="search">
          <label>
            Nom, SIRET, SIREN ou NDA
            <input type="search" name="q" value={text} onChange={(e) => setText(e.target.value)} placeholder="ex. 12345678900012" />
          </label>
          <button type="submit">Rechercher</button>
        </form>
        {results.loading && <Loading />}
        <ErrorMessage error={results.error} />
        {results.data && results.data.items.length === 0 && <p className="muted">Aucun organisme trouvé.</p>}
        {results.data && results.data.items.length > 0 && (
          <table data-testid="providers">
            <thead>
              <tr>
                <th>Organisme</th>
                <th>SIRET</th>
                <th>NDA</th>
                <th>Ville</th>
                <th>Liste publique</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {results.data.items.map((p) => (
                <tr key={p.nda} className={p.siret === siret ? 'selected' : undefined}>
                  <td>{p.name}</td>
                  <td>{p.siret}</td>
                  <td>{p.nda}</td>
                  <td>{p.city ?? '—'}</td>
                  <td>{p.listed ? 'Oui' : 'Non'}</td>
                  <td>
                    <Link to={url({ q, siret: p.siret, categorie: category })}>Vérifier</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {siret && <FundingCheckPanel siret={siret} category={category} onCategory={(c) => navigate(url({ q, siret, categorie: c }))} />}
    </>
  );
}

function FundingCheckPanel({ siret, category, onCategory }: { siret: string; category: string; onCategory: (c: string) => void }) {
  const check = useApi<FundingCheck>(`/providers/${encodeURIComponent(siret)}/funding-check?category=${encodeURIComponent(category)}`);
  const data = check.data;
  return (
    <section className="card" data-testid="funding-check">
      <h2>Vérification avant financement — SIRET {siret}</h2>
      <label className="inline">
        Catégorie d’action
        <select value={category} onChange={(e) => onCategory(e.target.value)}>
          {CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {label(CATEGORY_LABEL, c)}
            </option>
          ))}
        </select>
      </label>
      {check.loading && <Loading />}
      <ErrorMessage error={check.error} />
      {data && (
        <dl className="facts">
          <dt>Certification Qualiopi au {date(data.date)}</dt>
          <dd>
            <CoverageBadge status={data.certification.status} />
            {data.certification.flags.length > 0 && <span className="muted"> ({data.certification.flags.map((f) => label(FLAG_LABEL, f)).join(', ')})</span>}
            {data.certification.observation && (
              <div className="muted">
                Constatée le {date(data.certification.observation.observedOn)}
                {data.certification.observation.validUntil && `, valable jusqu’au ${date(data.certification.observation.validUntil)}`}
                {data.certification.observation.certifier && ` — certificateur : ${data.certification.observation.certifier}`}
              </div>
            )}
          </dd>

          <dt>Exemptions</dt>
          <dd data-testid="exemptions">
            {data.exemptions.length === 0 ? (
              'Aucune'
            ) : (
              <ul>
                {data.exemptions.map((e) => (
                  <li key={e.id}>
                    {label(EXEMPTION_LABEL, e.kind)} — du {date(e.validFrom)}
                    {e.validUntil ? ` au ${date(e.validUntil)}` : ''} ({e.legalSource})
                  </li>
                ))}
              </ul>
            )}
          </dd>

          <dt>Paiements bloqués</dt>
          <dd data-testid="blocked-payments">
            {data.controls.blockedPayments.actions === 0
              ? 'Aucun'
              : `${data.controls.blockedPayments.actions} action(s), ${euros(data.controls.blockedPayments.amountFunded)}`}
          </dd>

          <dt>Non-conformités majeures ouvertes</dt>
          <dd data-testid="major-nc">
            {data.controls.openMajorNonConformities.length === 0 ? (
              'Aucune'
            ) : (
              <ul>
                {data.controls.openMajorNonConformities.map((m) => (
                  <li key={m.correctiveActionId}>
                    Indicateur {m.pointCode} : {m.description} — échéance {date(m.dueAt)}
                    {m.overdue && <strong className="late"> (en retard)</strong>} — <Link to={`/controles/${m.checkId}`}>voir le contrôle</Link>
                  </li>
                ))}
              </ul>
            )}
          </dd>

          <dt>Registre</dt>
          <dd>
            {data.activity.inRegistry ? (data.activity.listed ? 'Présent sur la liste publique' : 'Radié de la liste publique') : 'Absent du registre'}
            {data.activity.lastDeclarationDate && ` — dernier bilan pédagogique et financier : ${date(data.activity.lastDeclarationDate)}`}
          </dd>
        </dl>
      )}
    </section>
  );
}
