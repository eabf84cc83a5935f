// Clés d'API: label, scopes, dates; revoke. The secret is shown once, at creation.
import AddIcon from '@mui/icons-material/Add';
import { Button } from '@mui/material';
import { Link } from 'react-router-dom';
import { Datagrid, DeleteButton, FunctionField, List, TextField } from 'react-admin';
import type { Dto } from '../../api/dto';
import { date } from '../../i18n/format';
import { SCOPE, label } from '../../i18n/labels';
import { EmptyList } from '../../ui/list';
import { Screen } from '../../ui/Screen';
import { ListFailure } from '../../ui/states';

type ApiKey = Dto<'ApiKeyDto'>;

export default function ApiKeyList() {
  return (
    <Screen
      title="Clés d’API"
      crumbs={[{ label: 'Administration' }, { label: 'Clés d’API' }]}
      actions={
        <Button component={Link} to="/cles-api/create" variant="contained" startIcon={<AddIcon />}>
          Nouvelle clé
        </Button>
      }
    >
      <List title={false as never} pagination={false} exporter={false} empty={false} actions={false} error={<ListFailure />} sort={{ field: '', order: 'ASC' }}>
        <Datagrid bulkActionButtons={false} rowClick={false} empty={<EmptyList text="Aucune clé d’API." />} data-testid="api-keys">
          <TextField source="label" label="Libellé" sortable={false} />
          <FunctionField label="Portées" sortable={false} render={(k: ApiKey) => k.scopes.map((s) => label(SCOPE, s)).join(', ')} />
          <FunctionField label="Créée le" sortable={false} render={(k: ApiKey) => date(k.createdAt)} />
          <FunctionField label="Dernier usage" sortable={false} render={(k: ApiKey) => date(k.lastUsedAt)} />
          <FunctionField label="Statut" sortable={false} render={(k: ApiKey) => (k.revokedAt ? `Révoquée le ${date(k.revokedAt)}` : 'Active')} />
          <FunctionField label="Révoquer" sortable={false} render={(k: ApiKey) => (k.revokedAt ? '—' : <DeleteButton label="Révoquer" mutationMode="pessimistic" confirmTitle="Révoquer cette clé ?" confirmContent="Les systèmes qui l’utilisent ne pourront plus appeler l’API." redirect={false} />)} />
        </Datagrid>
      </List>
    </Screen>
  );
}
