// Log-in: e-mail and password; a refusal shows the French message of the API's code in place.
import { Alert, Box, Button, Card, CardContent, TextField, Typography } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { useLogin } from 'react-admin';
import { usePageTitle } from '../ui/Screen';

export default function Login() {
  usePageTitle('Connexion');
  const login = useLogin();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await login({ username: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') });
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Connexion impossible.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Box component="main" id="main-content" sx={{ minHeight: '100vh', display: 'grid', placeItems: 'center', bgcolor: 'background.default', p: 2 }}>
      <Card sx={{ width: '100%', maxWidth: 400 }}>
        <CardContent>
          <Typography variant="h1" component="h1" gutterBottom>
            Connexion
          </Typography>
          <Typography color="text.secondary" gutterBottom>
            Back office qualité des financeurs de la formation
          </Typography>
          <form onSubmit={(e) => void submit(e)} noValidate>
            <TextField name="email" type="email" label="Adresse e-mail" autoComplete="username" required fullWidth margin="normal" />
            <TextField name="password" type="password" label="Mot de passe" autoComplete="current-password" required fullWidth margin="normal" />
            {error ? (
              <Alert severity="error" role="alert" sx={{ mt: 1 }}>
                {error}
              </Alert>
            ) : null}
            <Button type="submit" variant="contained" fullWidth sx={{ mt: 2 }} disabled={busy}>
              Se connecter
            </Button>
          </form>
        </CardContent>
      </Card>
    </Box>
  );
}
