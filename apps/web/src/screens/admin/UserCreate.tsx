import { CheckboxGroupInput, Create, PasswordInput, SimpleForm, TextInput, email, minLength, required } from 'react-admin';
import { ROLE, choices } from '../../i18n/labels';
import { Screen } from '../../ui/Screen';

export const ROLE_CHOICES = choices(ROLE).filter((c) => !['ministry', 'certifier', 'platform_admin'].includes(c.id));

export default function UserCreate() {
  return (
    <Screen title="Nouvel utilisateur" crumbs={[{ label: 'Utilisateurs', to: '/utilisateurs' }, { label: 'Nouvel utilisateur' }]}>
      <Create title={false as never} redirect="list">
        <SimpleForm>
          <TextInput source="displayName" label="Nom" validate={required()} fullWidth />
          <TextInput source="email" label="Adresse e-mail" type="email" validate={[required(), email()]} fullWidth />
          <CheckboxGroupInput source="roles" label="Rôles" choices={ROLE_CHOICES} validate={required()} />
          <PasswordInput source="password" label="Mot de passe initial (12 caractères au moins ; vide pour la connexion unique seule)" validate={minLength(12)} fullWidth />
        </SimpleForm>
      </Create>
    </Screen>
  );
}
