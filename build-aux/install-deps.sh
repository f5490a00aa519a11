#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages Planwright builds and tests with, when missing.
set -euo pipefail

# Build: compiler, meson and the libraries of src/. Tests: python3 for the CLI
# suite, Xvfb + D-Bus for the ui suite. Packaging checks: desktop-file-utils,
# appstream, flatpak-builder (--show-manifest), librsvg2-bin (rsvg-convert
# renders the app icons); the installed-app test also uses xdotool, xprop
# (x11-utils), gdbus (libglib2.0-bin) and imagemagick. Benchmarks: sqlite3.
# Screenshots: imagemagick. Recommends are not installed, so what GTK only
# recommends but the window needs is listed too: libc6-dev (recommended by
# gcc) and librsvg2-common (the SVG loader for the symbolic icons). Fuzzing:
# clang and its libFuzzer runtime (libclang-rt-14-dev).
# Keyring tests: gnome-keyring (a real secret service) and secret-tool.
# Window tests: AT-SPI (python3-pyatspi, at-spi2-core), xdotool; the start-up
# benchmark compares against gnome-text-editor. Notification tests: dunst (a
# notification server for the test's own D-Bus session). Single-instance
# test: x11-utils (xmessage as another program's window, xwininfo).
packages=(
  meson
  ninja-build
  gcc
  libc6-dev
  pkg-config
  gettext
  libglib2.0-dev
  libgtk-4-dev
  libadwaita-1-dev
  libsoup-3.0-dev
  libjson-glib-dev
  libsqlite3-dev
  libgtksourceview-5-dev
  libsecret-1-dev
  libcmark-dev
  librsvg2-common
  python3
  xvfb
  xauth
  dbus-x11
  desktop-file-utils
  appstream
  flatpak-builder
  librsvg2-bin
  libglib2.0-bin
  x11-utils
  sqlite3
  imagemagick
  clang
  libclang-rt-14-dev
  gnome-keyring
  libsecret-tools
  python3-pyatspi
  at-spi2-core
  xdotool
  dunst
  gnome-text-editor
  scdoc
  bash-completion
)

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  if [ "$status" != "installed" ]; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages are installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-deps: error: missing packages: ${missing[*]} (run as root, or install sudo)" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"
