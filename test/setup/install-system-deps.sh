#!/usr/bin/env bash
# Installs, on Debian 12, what the test suite needs from the system: PostgreSQL 15 with pgvector,
# ffmpeg, exiftool's runtime (perl), Chromium, the WebDAV/SFTP clients, Info-ZIP's unzip (to check
# download archives), systemd's systemd-analyze (to check the package's service) and nginx for
# benchmarks.
# Idempotent and quick when everything is already there. Must run as root (CI is root).
set -euo pipefail

need_apt=()
have() { command -v "$1" >/dev/null 2>&1; }
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

pkgs=(postgresql-15 postgresql-server-dev-15 ffmpeg perl nginx-light curl ca-certificates dpkg-dev litmus rclone openssh-client chromium unzip systemd)
# Benchmarks' anchors: vipsthumbnail for bench/ingest; Info-ZIP's zip for bench/download; OpenSSH's sshd and sftp-server for bench/sftp
# (bench/sftp runs its own sshd on a loopback port; the system's ssh service is not used).
[ "${1:-}" = "--bench" ] && pkgs+=(libvips-tools openssh-server zip)
for pkg in "${pkgs[@]}"; do
  pkg_installed "$pkg" || need_apt+=("$pkg")
done

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if have sudo; then SUDO="sudo"; else
    if [ ${#need_apt[@]} -gt 0 ]; then
      echo "install-system-deps: missing Debian packages (${need_apt[*]}) and not root; install them as root first." >&2
      exit 1
    fi
  fi
fi

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-system-deps: installing ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# pgvector: Debian 12 has no package, so build 0.8.x from Debian's own (trixie) source package.
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
EXTDIR=$($PG_CONFIG --sharedir)/extension
if [ ! -f "$EXTDIR/vector.control" ]; then
  echo "install-system-deps: building pgvector from Debian's source package"
  SRCLIST=/etc/apt/sources.list.d/hearth-trixie-src.sources
  if [ ! -f "$SRCLIST" ]; then
    $SUDO tee "$SRCLIST" >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    $SUDO apt-get update -qq
  fi
  build=$(mktemp -d)
  ( cd "$build" && apt-get source -qq pgvector >/dev/null 2>&1 || apt-get source pgvector )
  dir=$(find "$build" -maxdepth 1 -type d -name 'pgvector-*' | head -1)
  [ -n "$dir" ] || { echo "install-system-deps: apt-get source pgvector produced nothing" >&2; exit 1; }
  make -s -C "$dir" PG_CONFIG=$PG_CONFIG OPTFLAGS="" >/dev/null
  $SUDO make -s -C "$dir" PG_CONFIG=$PG_CONFIG OPTFLAGS="" install >/dev/null
  rm -rf "$build"
fi
echo "install-system-deps: ok"
