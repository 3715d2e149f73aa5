// Line icons for the host file chooser (24×24, currentColor): the fonts on a plain Debian have no
// colour emoji, so 📁 and 💿 showed as boxes.
import type { ReactNode } from 'react';

function Icon({ children, className = 'size-5' }: { children: ReactNode; className?: string }) {
  return (
    <svg aria-hidden viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" className={className}>
      {children}
    </svg>
  );
}

export const FolderIcon = () => (
  <Icon>
    <path d="M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V7Z" />
  </Icon>
);

export const DiscIcon = () => (
  <Icon>
    <circle cx="12" cy="12" r="9" />
    <circle cx="12" cy="12" r="2.5" />
  </Icon>
);

export const FileIcon = () => (
  <Icon>
    <path d="M6 3h8l4 4v14H6V3Z" />
    <path d="M14 3v4h4" />
  </Icon>
);

export const HomeIcon = () => (
  <Icon>
    <path d="m3 11 9-7 9 7" />
    <path d="M5 10v10h14V10" />
  </Icon>
);

export const DownloadIcon = () => (
  <Icon>
    <path d="M12 4v11m-5-5 5 5 5-5" />
    <path d="M5 20h14" />
  </Icon>
);

export const DriveIcon = () => (
  <Icon>
    <rect x="3" y="8" width="18" height="9" rx="2" />
    <path d="M7 13h.01M11 13h6" />
  </Icon>
);
