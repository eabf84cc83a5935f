import { useEffect, useState } from 'react';
import { isLoggedIn, logout, whenSessionLost, type Me } from './api';
import { Link } from './components';
import { navigate, useLocation } from './router';
import { useApi } from './useApi';
import { Login } from './pages/Login';
import { Dashboard } from './pages/Dashboard';
import { ProviderSearch } from './pages/ProviderSearch';
import { CheckDetail } from './pages/CheckDetail';

export function App() {
  const [loggedIn, setLoggedIn] = useState(isLoggedIn());
  const { path } = useLocation();
  useEffect(() => whenSessionLost(() => setLoggedIn(false)), []);

  if (!loggedIn) {
    return (
      <Login
        onLoggedIn={() => {
          setLoggedIn(true);
          if (path === '/connexion') navigate('/');
        }}
      />
    );
  }
  return (
    <Shell
      onLogout={() => {
        void logout();
        setLoggedIn(false);
        navigate('/');
      }}
    >
      <Page path={path} />
    </Shell>
  );
}

function Page({ path }: { path: string }) {
  const check = /^\/controles\/([0-9a-f-]{36})$/.exec(path);
  if (check) return <CheckDetail id={check[1]} />;
  if (path === '/organismes') return <ProviderSearch />;
  if (path === '/' || path === '/connexion') return <Dashboard />;
  return (
    <section>
      <h1>Page introuvable</h1>
      <p>
        <Link to="/">Retour au tableau de bord</Link>
      </p>
    </section>
  );
}

function Shell({ children, onLogout }: { children: React.ReactNode; onLogout: () => void }) {
  const me = useApi<Me>('/me');
  return (
    <>
      <header className="topbar">
        <span className="brand">Back office qualité</span>
        <nav>
          <Link to="/">Tableau de bord</Link>
          <Link to="/organismes">Recherche d’organisme</Link>
        </nav>
        <span className="who" data-testid="who">
          {me.data ? `${me.data.displayName} — ${me.data.organisation.name}` : ''}
        </span>
        <button type="button" className="secondary" onClick={onLogout}>
          Se déconnecter
        </button>
      </header>
      <main>{children}</main>
    </>
  );
}
