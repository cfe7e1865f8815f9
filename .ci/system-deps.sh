#!/usr/bin/env bash
# Installs what the test suite and the app need from Debian's packages when it is missing:
# PostgreSQL (server binaries), Chromium, and the Pango/HarfBuzz libraries and fonts WeasyPrint
# renders documents with (docs/dependencies.md). Nothing missing: nothing is done, nothing is
# fetched. Only root can install; others are told what to do.
#   bash .ci/system-deps.sh            everything (make test)
#   bash .ci/system-deps.sh --runtime  only what the app itself needs: WeasyPrint's libraries and
#                                      fonts (make run); a user who cannot install is warned, and
#                                      the app runs without its PDF downloads
set -euo pipefail
runtime_only=0
[ "${1:-}" = "--runtime" ] && runtime_only=1
need=()
pg_bin() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}
# A shared library is there when the dynamic linker knows it (whichever package brought it);
# ldconfig lives in /sbin, which a user's PATH may lack.
libs="$(PATH="$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null || true)"
has_lib() { grep -q "$1" <<<"$libs"; }
if [ "$runtime_only" -eq 0 ]; then
  [ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] || need+=(postgresql)
  [ -x /usr/bin/chromium ] || need+=(chromium)
fi
# WeasyPrint: Pango ≥ 1.44 with its FreeType backend, HarfBuzz's subsetter, and a font family
# (DejaVu Sans, named by static/css/document.css).
has_lib 'libpango-1\.0\.so\.0' || need+=(libpango-1.0-0)
has_lib 'libpangoft2-1\.0\.so\.0' || need+=(libpangoft2-1.0-0)
has_lib 'libharfbuzz-subset\.so\.0' || need+=(libharfbuzz-subset0)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${need[*]}. Install them with: sudo apt-get install ${need[*]}" >&2
  [ "$runtime_only" -eq 1 ] && exit 0
  exit 1
fi
echo "Installing ${need[*]} from Debian's packages…"
export DEBIAN_FRONTEND=noninteractive
# Without a network the lists already on the machine may still hold the packages.
apt-get update -qq || echo "apt-get update failed; trying the package lists already here" >&2
apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-dejavu-core >/dev/null
