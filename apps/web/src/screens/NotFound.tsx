import { Button } from '@mui/material';
import { Link } from 'react-router-dom';
import { Screen } from '../ui/Screen';
import { Empty } from '../ui/states';

export default function NotFound() {
  return (
    <Screen title="Page introuvable" crumbs={[{ label: 'Page introuvable' }]}>
      <Empty>Cette page n’existe pas ou plus.</Empty>
      <Button component={Link} to="/" sx={{ mt: 2 }}>
        Retour au tableau de bord
      </Button>
    </Screen>
  );
}
