// French everywhere: react-admin's own messages (ra-language-french) and the app's.
import polyglotI18nProvider from 'ra-i18n-polyglot';
import frenchMessages from 'ra-language-french';
import { mergeTranslations } from 'react-admin';

const app = {
  ra: {
    navigation: { skip_nav: 'Aller au contenu' },
    page: { empty: 'Aucun élément pour le moment' },
  },
  resources: {
    organismes: { name: 'Organisme |||| Organismes' },
    actions: { name: 'Action financée |||| Actions financées' },
    controles: { name: 'Contrôle |||| Contrôles' },
    utilisateurs: { name: 'Utilisateur |||| Utilisateurs' },
    'cles-api': { name: 'Clé d’API |||| Clés d’API' },
    anomalies: { name: 'Anomalie de prix |||| Anomalies de prix' },
    imports: { name: 'Import |||| Imports' },
  },
};

export const i18nProvider = polyglotI18nProvider(() => mergeTranslations(frenchMessages, app), 'fr', [{ locale: 'fr', name: 'Français' }], {
  allowMissing: true,
});
