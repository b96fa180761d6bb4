#!/usr/bin/env bash
# Install everything the full test suite needs on a fresh Debian machine:
# Debian packages (Chromium for browser tests, Redis for Celery tests, PostgreSQL,
# CJK fonts for PDF exports, poppler-utils to read PDFs back; nginx, openssl, curl and
# python3-venv for deploy/test-deployment.sh) and zwgk with its test extras.  Safe to
# re-run: it installs only what is missing.  Services are not started by the install.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v curl >/dev/null 2>&1 || need+=(curl)
/usr/bin/python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3-venv)

if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "installing Debian packages: ${need[*]}"
  $SUDO apt-get update -qq
  # Do not let the packages start their services (nginx would listen on every address):
  # the tests and deploy/test-deployment.sh start their own, on loopback.
  norc=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod 0755 /usr/sbin/policy-rc.d && norc=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  [ -z "$norc" ] || $SUDO rm -f /usr/sbin/policy-rc.d
fi

if ! python3 -m pip install -q -e '.[test]'; then
  cat >&2 <<'EOF'
pip could not install zwgk's test extras into this python3. On Debian 12/13 and recent Ubuntu the
system Python refuses pip (PEP 668, "externally-managed-environment"): create and activate the
virtual environment of the README's first command, then run this again:
  python3 -m venv .venv && . .venv/bin/activate && bash scripts/install-test-deps.sh
EOF
  exit 1
fi
