import type { Metadata } from 'next';
import { VmWizard } from '../../components/wizard/vm-wizard';

export const metadata: Metadata = { title: 'New virtual machine · OpenUTM' };

// `/new`: the creation wizard.
export default function NewVmPage() {
  return <VmWizard />;
}
