#!/usr/bin/env bash
# Installs what Corkboard needs and is missing, on Debian or Ubuntu.
#   scripts/setup.sh run    PostgreSQL server + contrib, libpq, pkg-config
#   scripts/setup.sh test   the same, plus Chromium + chromedriver, aiosmtpd, nginx, the npm
#                           packages and the API contract tools (schemathesis, in target/api-tools)
#   scripts/setup.sh bench  the same as run, plus wrk
#   scripts/setup.sh cluster  the same as run, plus nginx and wrk (scripts/cluster.sh)
# Uses apt-get directly as root, sudo otherwise; prints the command when it can do neither.
set -euo pipefail
cd "$(dirname "$0")/.."
purpose=${1:-run}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

packages=(postgresql postgresql-contrib libpq-dev pkg-config)
if [ "$purpose" = test ]; then
  # Chromium for the browser tests, aiosmtpd as the real SMTP server of the mail tests.
  packages+=(chromium chromium-driver python3-aiosmtpd python3-venv nginx)
fi
if [ "$purpose" = bench ]; then
  packages+=(wrk)
fi
if [ "$purpose" = cluster ]; then
  packages+=(nginx wrk)
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ! command -v npm >/dev/null 2>&1 && [ "$purpose" = test ]; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  say "Installing ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    # Packages such as nginx and postgresql start a system service when installed (nginx on
    # port 80 of every address): Corkboard starts its own, so none is started.
    no_services=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
      chmod +x /usr/sbin/policy-rc.d
      no_services=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [ -n "$no_services" ]; then rm -f /usr/sbin/policy-rc.d; fi
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Corkboard needs these packages: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "Rust is not installed: see https://rustup.rs, then run this again." >&2
  exit 1
fi

# npm packages (Tailwind) for the CSS build; `make run` uses the committed stylesheet.
if [ "$purpose" = test ]; then
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "Installing npm packages"
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi

# The API's contract tools (schemathesis, openapi-spec-validator), pinned in
# scripts/api-tools.txt, in a virtualenv under target/ (Debian's Python, as for aiosmtpd).
if [ "$purpose" = test ]; then
  tools=target/api-tools
  if [ ! -x "$tools/bin/st" ] || [ scripts/api-tools.txt -nt "$tools/.installed" ]; then
    say "Installing the API contract tools"
    rm -rf "$tools"
    /usr/bin/python3 -m venv "$tools"
    "$tools/bin/pip" install --quiet --disable-pip-version-check -r scripts/api-tools.txt
    touch "$tools/.installed"
  fi
fi
