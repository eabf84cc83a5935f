// The application: react-admin with our data, auth and i18n providers, the French theme, and one
// lazily loaded chunk per screen (React.lazy: the first load holds the frame only).
import { lazy } from 'react';
import { Admin, CustomRoutes, Resource } from 'react-admin';
import { BrowserRouter, Route } from 'react-router-dom';
import { authProvider } from './api/authProvider';
import { dataProvider } from './api/dataProvider';
import { i18nProvider } from './i18n/i18nProvider';
import { Layout } from './layout/Layout';
import { theme } from './layout/theme';
import Login from './screens/Login';

const Dashboard = lazy(() => import('./screens/Dashboard'));
const ProviderList = lazy(() => import('./screens/providers/ProviderList'));
const ProviderShow = lazy(() => import('./screens/providers/ProviderShow'));
const ActionList = lazy(() => import('./screens/actions/ActionList'));
const ActionShow = lazy(() => import('./screens/actions/ActionShow'));
const ActionImport = lazy(() => import('./screens/actions/ActionImport'));
const CheckList = lazy(() => import('./screens/checks/CheckList'));
const CheckCreate = lazy(() => import('./screens/checks/CheckCreate'));
const CheckShow = lazy(() => import('./screens/checks/CheckShow'));
const UserList = lazy(() => import('./screens/admin/UserList'));
const UserCreate = lazy(() => import('./screens/admin/UserCreate'));
const UserEdit = lazy(() => import('./screens/admin/UserEdit'));
const ApiKeyList = lazy(() => import('./screens/admin/ApiKeyList'));
const ApiKeyCreate = lazy(() => import('./screens/admin/ApiKeyCreate'));
const SsoSettings = lazy(() => import('./screens/admin/SsoSettings'));
const AnomalyList = lazy(() => import('./screens/pricing/AnomalyList'));
const AnomalyShow = lazy(() => import('./screens/pricing/AnomalyShow'));
const PriceCoverage = lazy(() => import('./screens/pricing/PriceCoverage'));
const Dossier = lazy(() => import('./screens/sharing/Dossier'));
const SharedCheckShow = lazy(() => import('./screens/sharing/SharedCheckShow'));
const ControlPlan = lazy(() => import('./screens/sharing/ControlPlan'));
const Mandates = lazy(() => import('./screens/sharing/Mandates'));
const ReportList = lazy(() => import('./screens/reports/ReportList'));
const ReportCreate = lazy(() => import('./screens/reports/ReportCreate'));
const ReportShow = lazy(() => import('./screens/reports/ReportShow'));
const InboxList = lazy(() => import('./screens/reports/InboxList'));
const InboxShow = lazy(() => import('./screens/reports/InboxShow'));
const InboxStatistics = lazy(() => import('./screens/reports/InboxStatistics'));
const ImportList = lazy(() => import('./screens/imports/ImportList'));
const ImportShow = lazy(() => import('./screens/imports/ImportShow'));
const BulkFundingCheck = lazy(() => import('./screens/providers/BulkFundingCheck'));
const NotFound = lazy(() => import('./screens/NotFound'));

export function App() {
  // Real paths (/controles/…), not react-admin's default hash router: bookmarkable, and the API
  // answers index.html for them.
  return (
    <BrowserRouter>
      <Admin
        title="Back office qualité"
        dataProvider={dataProvider}
        authProvider={authProvider}
        i18nProvider={i18nProvider}
        theme={theme}
        layout={Layout}
        loginPage={Login}
        dashboard={Dashboard}
        catchAll={NotFound}
        requireAuth
        disableTelemetry
      >
        <Resource name="organismes" list={ProviderList} show={ProviderShow} />
        <Resource name="actions" list={ActionList} show={ActionShow} />
        <Resource name="controles" list={CheckList} create={CheckCreate} show={CheckShow} />
        <Resource name="anomalies" list={AnomalyList} show={AnomalyShow} />
        <Resource name="signalements" list={ReportList} create={ReportCreate} show={ReportShow} />
        <Resource name="boite-de-reception" list={InboxList} show={InboxShow} />
        <Resource name="utilisateurs" list={UserList} create={UserCreate} edit={UserEdit} />
        <Resource name="cles-api" list={ApiKeyList} create={ApiKeyCreate} />
        <CustomRoutes>
          <Route path="/actions/import" element={<ActionImport />} />
          <Route path="/imports" element={<ImportList />} />
          <Route path="/imports/:id" element={<ImportShow />} />
          <Route path="/verification-financement" element={<BulkFundingCheck />} />
          <Route path="/anomalies/couverture" element={<PriceCoverage />} />
          <Route path="/administration/sso" element={<SsoSettings />} />
          <Route path="/organismes/:siret/dossier" element={<Dossier />} />
          <Route path="/controles-partages/:id" element={<SharedCheckShow />} />
          <Route path="/plan-de-controle" element={<ControlPlan />} />
          <Route path="/mandats" element={<Mandates />} />
          <Route path="/boite-de-reception/statistiques" element={<InboxStatistics />} />
        </CustomRoutes>
      </Admin>
    </BrowserRouter>
  );
}
