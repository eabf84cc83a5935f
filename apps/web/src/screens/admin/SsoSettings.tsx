// Connexion unique (OpenID Connect) of the organisation: issuer, client id, secret (write-only).
import { Alert, Box, Button, Checkbox, FormControlLabel, TextField, Typography } from '@mui/material';
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, put } from '../../api/http';
import { useApi } from '../../api/useApi';
import { Screen } from '../../ui/Screen';
import { Section } from '../../ui/Section';
import { Failure, Loading } from '../../ui/states';
import { useRun } from '../../ui/useRun';

interface SsoView {
  issuer: string;
  clientId: string;
  allowInsecureLoopback?: boolean;
  hasClientSecret?: boolean;
  redirectUri?: string;
}

export default function SsoSettings() {
  const query = useApi<SsoView>('/organisations/me/sso');
  const [form, setForm] = useState({ issuer: '', clientId: '', clientSecret: '', allowInsecureLoopback: false });
  const [saved, setSaved] = useState(false);
  const { run, busy, error } = useRun('/organisations/me/sso');
  const notConfigured = query.error instanceof ApiError && query.error.status === 404;
  useEffect(() => {
    if (query.data) setForm((f) => ({ ...f, issuer: query.data.issuer, clientId: query.data.clientId, allowInsecureLoopback: Boolean(query.data.allowInsecureLoopback) }));
  }, [query.data]);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const ok = await run(() =>
      put('/organisations/me/sso', { issuer: form.issuer, clientId: form.clientId, clientSecret: form.clientSecret || undefined, allowInsecureLoopback: form.allowInsecureLoopback }),
    );
    if (ok !== undefined) setSaved(true);
  }
  return (
    <Screen title="Connexion unique" crumbs={[{ label: 'Administration' }, { label: 'Connexion unique' }]}>
      <Section title="Fournisseur d’identité (OpenID Connect)">
        <Typography sx={{ mb: 2 }}>
          Les utilisateurs existants de l’organisation se connectent avec le fournisseur d’identité ; la connexion unique ne crée jamais de compte. Le secret client n’est jamais réaffiché : laissez le champ vide
          pour garder celui enregistré.
        </Typography>
        {query.isPending ? <Loading /> : null}
        {query.error && !notConfigured ? <Failure error={query.error} retry={() => void query.refetch()} /> : null}
        {notConfigured ? <Alert severity="info" sx={{ mb: 2 }}>La connexion unique n’est pas encore configurée.</Alert> : null}
        {!query.isPending && (query.data || notConfigured) ? (
          <Box component="form" onSubmit={(e) => void submit(e)} sx={{ display: 'grid', gap: 2 }}>
            <TextField label="Émetteur (issuer)" value={form.issuer} onChange={(e) => setForm({ ...form, issuer: e.target.value })} required placeholder="https://idp.exemple.fr/realms/financeur" />
            <TextField label="Identifiant client" value={form.clientId} onChange={(e) => setForm({ ...form, clientId: e.target.value })} required />
            <TextField label="Secret client" type="password" value={form.clientSecret} onChange={(e) => setForm({ ...form, clientSecret: e.target.value })} helperText={query.data ? 'Vide : le secret enregistré est conservé.' : 'Requis la première fois.'} />
            <FormControlLabel control={<Checkbox checked={form.allowInsecureLoopback} onChange={(e) => setForm({ ...form, allowInsecureLoopback: e.target.checked })} />} label="Autoriser http sur une adresse locale (développement et tests uniquement)" />
            {error ? <Failure error={error} /> : null}
            {saved ? <Alert severity="success">Paramètres enregistrés.</Alert> : null}
            <Box>
              <Button type="submit" variant="contained" disabled={busy}>
                Enregistrer
              </Button>
            </Box>
          </Box>
        ) : null}
      </Section>
    </Screen>
  );
}
