import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installCommand, parseOsRelease } from './install-hints';

const DEBIAN_12 = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
`;

const UBUNTU_2404 = `PRETTY_NAME="Ubuntu 24.04.1 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
ID=ubuntu
ID_LIKE=debian
UBUNTU_CODENAME=noble
`;

const MINT = `NAME="Linux Mint"
VERSION="21.3 (Virginia)"
ID=linuxmint
ID_LIKE="ubuntu debian"
PRETTY_NAME="Linux Mint 21.3"
`;

const FEDORA_40 = `NAME="Fedora Linux"
VERSION="40 (Workstation Edition)"
ID=fedora
VERSION_ID=40
PRETTY_NAME="Fedora Linux 40 (Workstation Edition)"
`;

const ROCKY_9 = `NAME="Rocky Linux"
VERSION="9.4 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.4"
PRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"
`;

const ARCH = `NAME="Arch Linux"
PRETTY_NAME="Arch Linux"
ID=arch
BUILD_ID=rolling
`;

const ENDEAVOUR = `NAME='EndeavourOS'
PRETTY_NAME='EndeavourOS'
ID='endeavouros'
ID_LIKE='arch'
`;

const TUMBLEWEED = `NAME="openSUSE Tumbleweed"
ID="opensuse-tumbleweed"
ID_LIKE="opensuse suse"
PRETTY_NAME="openSUSE Tumbleweed"
`;

const NIXOS = `NAME=NixOS
ID=nixos
PRETTY_NAME="NixOS 24.05 (Uakari)"
`;

test('parseOsRelease reads ID, ID_LIKE and PRETTY_NAME with either quote style', () => {
  assert.deepEqual(parseOsRelease(DEBIAN_12), { id: 'debian', idLike: [], prettyName: 'Debian GNU/Linux 12 (bookworm)' });
  assert.deepEqual(parseOsRelease(ROCKY_9), { id: 'rocky', idLike: ['rhel', 'centos', 'fedora'], prettyName: 'Rocky Linux 9.4 (Blue Onyx)' });
  assert.deepEqual(parseOsRelease(ENDEAVOUR).idLike, ['arch']);
  assert.equal(parseOsRelease('').id, 'linux');
});

const cases: Array<[string, string, string]> = [
  ['Debian 12', DEBIAN_12, 'sudo apt-get install qemu-system-x86 qemu-utils ovmf'],
  ['Ubuntu 24.04', UBUNTU_2404, 'sudo apt-get install qemu-system-x86 qemu-utils ovmf'],
  ['Linux Mint (via ID_LIKE)', MINT, 'sudo apt-get install qemu-system-x86 qemu-utils ovmf'],
  ['Fedora 40', FEDORA_40, 'sudo dnf install qemu-system-x86 qemu-img edk2-ovmf'],
  ['Rocky 9 (RHEL family: qemu-kvm)', ROCKY_9, 'sudo dnf install qemu-kvm qemu-img edk2-ovmf'],
  ['Arch', ARCH, 'sudo pacman -S --needed qemu-system-x86 qemu-img edk2-ovmf'],
  ['EndeavourOS (via ID_LIKE)', ENDEAVOUR, 'sudo pacman -S --needed qemu-system-x86 qemu-img edk2-ovmf'],
  ['openSUSE Tumbleweed', TUMBLEWEED, 'sudo zypper install qemu-x86 qemu-tools qemu-ovmf-x86_64'],
  ['an unknown distribution', NIXOS, "install QEMU (qemu-system-x86_64), qemu-img, OVMF (edk2 UEFI firmware) with your distribution's package manager"],
];

for (const [name, release, expected] of cases) {
  test(`installCommand for QEMU on ${name}`, () => {
    assert.equal(installCommand('linux', parseOsRelease(release), ['qemu', 'qemu-img', 'firmware'], 'x86_64'), expected);
  });
}

test('installCommand picks packages by architecture and thing', () => {
  const debian = parseOsRelease(DEBIAN_12);
  assert.equal(installCommand('linux', debian, ['qemu', 'firmware'], 'aarch64'), 'sudo apt-get install qemu-system-arm qemu-efi-aarch64');
  assert.equal(installCommand('linux', debian, ['swtpm'], 'x86_64'), 'sudo apt-get install swtpm');
  assert.equal(installCommand('linux', parseOsRelease(FEDORA_40), ['spice'], 'x86_64'), 'sudo dnf install qemu-ui-spice-core qemu-char-spice');
  assert.match(installCommand('linux', parseOsRelease(ROCKY_9), ['spice'], 'x86_64'), /without SPICE/);
});

test('installCommand on macOS and Windows: one package brings QEMU, qemu-img and firmware', () => {
  assert.equal(installCommand('darwin', null, ['qemu', 'qemu-img', 'firmware'], 'aarch64'), 'brew install qemu');
  assert.equal(installCommand('darwin', null, ['swtpm'], 'aarch64'), 'brew install swtpm');
  assert.match(installCommand('darwin', null, ['spice'], 'aarch64'), /^nothing to install: Homebrew/);
  assert.equal(installCommand('win32', null, ['qemu', 'qemu-img'], 'x86_64'), 'winget install --exact --id SoftwareFreedomConservancy.QEMU');
  assert.match(installCommand('win32', null, ['swtpm'], 'x86_64'), /no Windows build/);
});
