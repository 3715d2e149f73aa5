// The sound controls' icons (24×24, currentColor), drawn inline like the other toolbar icons.
import type { ReactNode } from 'react';

function Icon({ children }: { children: ReactNode }) {
  return (
    <svg aria-hidden viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" className="size-[18px]">
      {children}
    </svg>
  );
}

const Speaker = () => <path d="M4 9v6h4l5 4V5L8 9H4Z" fill="currentColor" />;

export const SpeakerIcon = () => (
  <Icon>
    <Speaker />
    <path d="M16.5 8.5a5 5 0 0 1 0 7M19 6a8.5 8.5 0 0 1 0 12" />
  </Icon>
);

export const SpeakerMutedIcon = () => (
  <Icon>
    <Speaker />
    <path d="m16 9 6 6M22 9l-6 6" />
  </Icon>
);

export const MicIcon = ({ off }: { off: boolean }) => (
  <Icon>
    <rect x="9" y="3" width="6" height="11" rx="3" />
    <path d="M5 11a7 7 0 0 0 14 0M12 18v3" />
    {off && <path d="m4 4 16 16" />}
  </Icon>
);
