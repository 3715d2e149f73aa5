import type { Metadata } from 'next';
import { Preferences } from '../../components/preferences/preferences';

export const metadata: Metadata = { title: 'Preferences · OpenUTM' };

// `/preferences`: helper, paired clients, theme, telemetry.
export default function PreferencesPage() {
  return <Preferences />;
}
