// The app's frame: react-admin's Layout (skip link « Aller au contenu » to #main-content, app bar,
// side menu that becomes a drawer on phones) with our menu: aria-current="page" on the current
// entry, entries by role.
import AssignmentIcon from '@mui/icons-material/AssignmentTurnedIn';
import BusinessIcon from '@mui/icons-material/Business';
import DashboardIcon from '@mui/icons-material/Dashboard';
import PriceCheckIcon from '@mui/icons-material/PriceCheck';
import QueryStatsIcon from '@mui/icons-material/QueryStats';
import EuroIcon from '@mui/icons-material/Euro';
import FactCheckIcon from '@mui/icons-material/FactCheck';
import HistoryIcon from '@mui/icons-material/History';
import KeyIcon from '@mui/icons-material/VpnKey';
import LoginIcon from '@mui/icons-material/Login';
import PeopleIcon from '@mui/icons-material/People';
import UploadIcon from '@mui/icons-material/UploadFile';
import WorkIcon from '@mui/icons-material/Work';
import RuleIcon from '@mui/icons-material/Rule';
import HandshakeIcon from '@mui/icons-material/Handshake';
import { Box, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import ReportIcon from '@mui/icons-material/Report';
import InboxIcon from '@mui/icons-material/Inbox';
import { AppBar, Layout as RaLayout, Menu, TitlePortal, UserMenu, Logout, usePermissions, useGetIdentity, type LayoutProps } from 'react-admin';
import { useMatch } from 'react-router-dom';
import { send } from '../api/http';

function Item({ to, label, icon, end = false }: { to: string; label: string; icon: ReactNode; end?: boolean }) {
  const match = useMatch({ path: to, end });
  return <Menu.Item to={to} primaryText={label} leftIcon={icon} aria-current={match ? 'page' : undefined} />;
}

/** Opens the jobs board: the API sets its session cookie (scoped to /admin) from the bearer token. */
async function openJobsBoard(event: React.MouseEvent<HTMLAnchorElement>) {
  event.preventDefault();
  // Through the shared client: an expired access token is renewed first.
  await send('/auth/session', { method: 'POST' });
  window.location.assign('/admin/queues');
}

export function AppMenu() {
  const { permissions } = usePermissions<string[]>();
  const roles = permissions ?? [];
  const funder = roles.some((r) => r === 'officer' || r === 'manager');
  return (
    <Menu>
      <Item to="/" end label="Tableau de bord" icon={<DashboardIcon />} />
      <Item to="/organismes" label="Organismes" icon={<BusinessIcon />} />
      {funder ? <Item to="/verification-financement" label="Vérification en masse" icon={<FactCheckIcon />} /> : null}
      {funder ? <Item to="/actions" end label="Actions financées" icon={<EuroIcon />} /> : null}
      {funder ? <Item to="/actions/import" label="Import d’actions" icon={<UploadIcon />} /> : null}
      {funder ? <Item to="/imports" label="Imports" icon={<HistoryIcon />} /> : null}
      {funder ? <Item to="/anomalies" end label="Anomalies de prix" icon={<PriceCheckIcon />} /> : null}
      {funder ? <Item to="/anomalies/couverture" label="Couverture des tests" icon={<QueryStatsIcon />} /> : null}
      {funder || roles.includes('auditor') ? <Item to="/controles" label="Contrôles" icon={<AssignmentIcon />} /> : null}
      {funder ? <Item to="/plan-de-controle" label="Plan de contrôle" icon={<RuleIcon />} /> : null}
      {funder || roles.includes('admin') ? <Item to="/mandats" label="Mandats" icon={<HandshakeIcon />} /> : null}
      {funder ? <Item to="/signalements" label="Signalements" icon={<ReportIcon />} /> : null}
      {roles.includes('ministry') || roles.includes('certifier') ? <Item to="/boite-de-reception" end label="Boîte de réception" icon={<InboxIcon />} /> : null}
      {roles.includes('ministry') || roles.includes('certifier') ? <Item to="/boite-de-reception/statistiques" label="Statistiques" icon={<QueryStatsIcon />} /> : null}
      {roles.includes('admin') ? <Item to="/utilisateurs" label="Utilisateurs" icon={<PeopleIcon />} /> : null}
      {roles.includes('admin') ? <Item to="/cles-api" label="Clés d’API" icon={<KeyIcon />} /> : null}
      {roles.includes('admin') ? <Item to="/administration/sso" label="Connexion unique" icon={<LoginIcon />} /> : null}
      {roles.includes('platform_admin') ? (
        <Menu.Item to="/admin/queues" primaryText="Tableau des traitements" leftIcon={<WorkIcon />} onClick={(e: React.MouseEvent<HTMLAnchorElement>) => void openJobsBoard(e)} />
      ) : null}
    </Menu>
  );
}

function Who() {
  const { identity } = useGetIdentity();
  if (!identity) return null;
  return (
    <Box sx={{ display: { xs: 'none', sm: 'block' }, mr: 1 }}>
      <Typography variant="body2" data-testid="organisation">
        {String(identity.organisation ?? '')}
      </Typography>
    </Box>
  );
}

function Bar() {
  return (
    <AppBar
      alwaysOn
      color="primary"
      userMenu={
        <UserMenu>
          <Logout />
        </UserMenu>
      }
    >
      <TitlePortal />
      <Who />
    </AppBar>
  );
}

export function Layout(props: LayoutProps) {
  return <RaLayout {...props} appBar={Bar} menu={AppMenu} />;
}
