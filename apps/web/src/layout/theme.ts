// A sober theme: one dark blue, greys, white cards; contrasts at least 4.5:1 (WCAG 2.1 AA).
import { createTheme } from '@mui/material/styles';
import { defaultTheme } from 'react-admin';

export const theme = createTheme({
  ...defaultTheme,
  palette: {
    mode: 'light',
    primary: { main: '#1f4e79', contrastText: '#ffffff' },
    secondary: { main: '#37474f', contrastText: '#ffffff' },
    error: { main: '#b3261e' },
    warning: { main: '#8a5300' },
    success: { main: '#1b6e3a' },
    info: { main: '#1f5f8b' },
    background: { default: '#f4f6f8', paper: '#ffffff' },
    text: { primary: '#1c2430', secondary: '#4a5462' },
  },
  shape: { borderRadius: 6 },
  typography: {
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    h1: { fontSize: '1.6rem', fontWeight: 600 },
    h2: { fontSize: '1.25rem', fontWeight: 600 },
    h3: { fontSize: '1.05rem', fontWeight: 600 },
  },
  components: {
    ...defaultTheme.components,
    RaSkipNavigationButton: { styleOverrides: { root: { color: '#1c2430', backgroundColor: '#ffffff' } } },
    // The content column never grows wider than the screen (phones: no sideways page scroll).
    RaLayout: { styleOverrides: { root: { minWidth: 0, '& .RaLayout-appFrame, & .RaLayout-contentWithSidebar, & .RaLayout-content': { minWidth: 0 } } } },
    RaList: { styleOverrides: { root: { minWidth: 0, maxWidth: '100%', '& .RaList-main': { minWidth: 0, maxWidth: '100%' }, '& .RaList-content': { overflowX: 'auto', maxWidth: '100%' } } } },
    MuiAppBar: { defaultProps: { elevation: 0 } },
    MuiPaper: { defaultProps: { variant: 'outlined' } },
    MuiTableCell: { styleOverrides: { root: { overflowWrap: 'break-word' } } },
  } as never,
});
