// New API key: label and scopes; the secret is in the creation answer only, shown once here.
import { Alert, Box, Button, Checkbox, FormControlLabel, FormGroup, FormLabel, TextField, Typography } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { post } from '../../api/http';
import { SCOPE } from '../../i18n/labels';
import { Screen } from '../../ui/Screen';
import { Section } from '../../ui/Section';
import { Failure } from '../../ui/states';

export default function ApiKeyCreate() {
  const [labelText, setLabel] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const created = await post<{ key?: string; secret?: string; apiKey?: string }>('/api-keys', { label: labelText, scopes });
      setSecret(created.key ?? created.secret ?? created.apiKey ?? '');
    } catch (err) {
      setError(err);
    }
  }
  return (
    <Screen title="Nouvelle clé d’API" crumbs={[{ label: 'Clés d’API', to: '/cles-api' }, { label: 'Nouvelle clé' }]}>
      {secret !== null ? (
        <Section title="Clé créée" testId="api-key-secret">
          <Alert severity="warning" sx={{ mb: 2 }}>
            Copiez cette clé maintenant : elle ne sera plus jamais affichée. En cas de perte, révoquez-la et créez-en une autre.
          </Alert>
          <Typography component="code" sx={{ display: 'block', p: 1.5, bgcolor: '#eef1f5', overflowWrap: 'anywhere', fontFamily: 'monospace' }} data-testid="secret">
            {secret}
          </Typography>
          <Box sx={{ mt: 2, display: 'flex', gap: 1, flexWrap: 'wrap' }}>
            <Button variant="outlined" onClick={() => void navigator.clipboard?.writeText(secret)}>
              Copier
            </Button>
            <Button component={Link} to="/cles-api">
              Retour aux clés
            </Button>
          </Box>
        </Section>
      ) : (
        <Section title="Clé">
          <Box component="form" onSubmit={(e) => void submit(e)} sx={{ display: 'grid', gap: 2 }}>
            <TextField label="Libellé" value={labelText} onChange={(e) => setLabel(e.target.value)} required helperText="Par exemple : SI financements — import nocturne" />
            <FormGroup>
              <FormLabel component="legend">Portées</FormLabel>
              {Object.entries(SCOPE).map(([k, v]) => (
                <FormControlLabel key={k} control={<Checkbox checked={scopes.includes(k)} onChange={(e) => setScopes(e.target.checked ? [...scopes, k] : scopes.filter((s) => s !== k))} />} label={v} />
              ))}
            </FormGroup>
            {error ? <Failure error={error} /> : null}
            <Box>
              <Button type="submit" variant="contained" disabled={!labelText.trim() || scopes.length === 0}>
                Créer la clé
              </Button>
            </Box>
          </Box>
        </Section>
      )}
    </Screen>
  );
}
