import type { Metadata } from 'next';
import { Suspense } from 'react';
import { VmDetail } from '../../components/vm-detail/vm-detail';

export const metadata: Metadata = { title: 'Virtual machine · OpenUTM' };

// `/vm?id=<id>`: one VM's details and settings (a query parameter, as the export is static).
export default function VmPage() {
  return (
    <Suspense fallback={null}>
      <VmDetail />
    </Suspense>
  );
}
