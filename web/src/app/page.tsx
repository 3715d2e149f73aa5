import { VmLibrary } from '../components/library/vm-library';

// `/`: the VM library.
export default function LibraryPage() {
  return <VmLibrary />;
}
