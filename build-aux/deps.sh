# build-aux/deps.sh: the Debian 12 packages Epistle needs, installed when
# missing. Sourced by run.sh and test.sh; not meant to be run on its own.
#
# Keep this list, the Flatpak manifest and the README in step.

EPISTLE_BUILD_DEPS="
  meson ninja-build pkg-config gcc gettext appstream desktop-file-utils
  libglib2.0-dev libglib2.0-dev-bin libglib2.0-bin
  libgtk-4-dev libadwaita-1-dev libportal-gtk4-dev
  libcurl4-openssl-dev libssl-dev libsecret-1-dev libgmime-3.0-dev libsqlite3-dev
  libmd4c-dev libmd4c-html0-dev dconf-gsettings-backend
  libcsv-dev libuchardet-dev libzip-dev libxml2-dev libpwquality-dev cracklib-runtime
  libxlsxwriter-dev libicu-dev
"

# The test rig and UI checks: real servers, a real keyring, a real X server.
EPISTLE_TEST_DEPS="
  dovecot-imapd dovecot-lmtpd python3 python3-aiosmtpd
  gnome-keyring libsecret-tools dbus dbus-x11
  xvfb xauth x11-utils imagemagick openssl curl procps
  python3-pyatspi at-spi2-core
  python3-openpyxl python3-xlsxwriter python3-odf notification-daemon
  gpgsm gpg-agent locales
  chromium chromium-driver python3-selenium python3-cryptography
"

# Benchmarks only (tests/bench/): Postfix's smtp-sink and smtp-source, run
# unprivileged on a high port; the postfix daemon is never started.
EPISTLE_BENCH_DEPS="postfix python3-openpyxl python3-xlsxwriter time iproute2"

# Installs every package in "$@" that is not installed yet, with sudo when
# not root. Services that packages would start are left stopped.
epistle_install_missing () {
  missing=""
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing="$missing $pkg"
    fi
  done

  if [ -z "$missing" ]; then
    return 0
  fi

  echo "Installing:$missing" >&2
  if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "These packages are missing and neither root nor sudo is available:$missing" >&2
    return 1
  fi

  # policy-rc.d keeps dovecot from starting as a system service on install;
  # the test rig runs its own instance.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
  $SUDO env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 \
    apt-get install -y -qq --no-install-recommends $missing || return 1
}
