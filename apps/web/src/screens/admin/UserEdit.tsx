import { BooleanInput, CheckboxGroupInput, Edit, SaveButton, SimpleForm, TextInput, Toolbar, required } from 'react-admin';
import { Screen } from '../../ui/Screen';
import { ROLE_CHOICES } from './UserCreate';

export default function UserEdit() {
  return (
    <Screen title="Modifier un utilisateur" crumbs={[{ label: 'Utilisateurs', to: '/utilisateurs' }, { label: 'Modifier' }]}>
      <Edit title={false as never} mutationMode="pessimistic" redirect="list" transform={(d: Record<string, unknown>) => ({ displayName: d.displayName, roles: d.roles, disabled: d.disabled })}>
        <SimpleForm toolbar={<Toolbar><SaveButton /></Toolbar>}>
          <TextInput source="email" label="Adresse e-mail" disabled fullWidth />
          <TextInput source="displayName" label="Nom" validate={required()} fullWidth />
          <CheckboxGroupInput source="roles" label="Rôles" choices={ROLE_CHOICES} validate={required()} />
          <BooleanInput source="disabled" label="Compte désactivé" />
        </SimpleForm>
      </Edit>
    </Screen>
  );
}
