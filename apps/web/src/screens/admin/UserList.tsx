// Utilisateurs de l'organisation: name, e-mail, roles, disabled; search; create and edit.
import AddIcon from '@mui/icons-material/Add';
import { Button, Chip, Stack } from '@mui/material';
import { Link } from 'react-router-dom';
import { Datagrid, FunctionField, List, SearchInput, TextField } from 'react-admin';
import type { Dto } from '../../api/dto';
import { ROLE, label } from '../../i18n/labels';
import { EmptyList, Pager, ResultCount } from '../../ui/list';
import { Screen } from '../../ui/Screen';
import { ListFailure } from '../../ui/states';

type User = Dto<'UserDto'>;

export default function UserList() {
  return (
    <Screen
      title="Utilisateurs"
      crumbs={[{ label: 'Administration' }, { label: 'Utilisateurs' }]}
      actions={
        <Button component={Link} to="/utilisateurs/create" variant="contained" startIcon={<AddIcon />}>
          Nouvel utilisateur
        </Button>
      }
    >
      <List title={false as never} filters={[<SearchInput key="q" source="q" alwaysOn placeholder="Nom ou e-mail" aria-label="Nom ou e-mail" />]} pagination={<Pager />} exporter={false} empty={false} actions={false} error={<ListFailure />} sort={{ field: '', order: 'ASC' }}>
        <ResultCount noun="utilisateur" />
        <Datagrid bulkActionButtons={false} rowClick="edit" empty={<EmptyList text="Aucun utilisateur." />} data-testid="users">
          <TextField source="displayName" label="Nom" sortable={false} />
          <TextField source="email" label="E-mail" sortable={false} />
          <FunctionField
            label="Rôles"
            sortable={false}
            render={(u: User) => (
              <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 0.5 }}>
                {u.roles.map((r) => (
                  <Chip key={r} size="small" variant="outlined" label={label(ROLE, r)} />
                ))}
              </Stack>
            )}
          />
          <FunctionField label="Statut" sortable={false} render={(u: User) => (u.disabled ? 'Désactivé' : 'Actif')} />
        </Datagrid>
      </List>
    </Screen>
  );
}
