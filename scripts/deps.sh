#!/usr/bin/env bash
# Installs the Debian packages the tests, the demo and the lab need, when
# they are missing. As root it uses apt-get; otherwise it says what to run.
# Usage: scripts/deps.sh [test|demo|lab|browser]...   (default: test)
set -euo pipefail

want=("$@")
[ ${#want[@]} -eq 0 ] && want=(test)

# command:package pairs per need.
declare -A needs=(
  [test]="clickhouse-server:clickhouse-server clickhouse-client:clickhouse-client ip:iproute2 nft:nftables tc:iproute2 chromium:chromium"
  [demo]="clickhouse-server:clickhouse-server clickhouse-client:clickhouse-client ip:iproute2 nft:nftables tc:iproute2"
  [lab]="ip:iproute2 nft:nftables tc:iproute2"
  [browser]="chromium:chromium"
)

missing=()
for w in "${want[@]}"; do
  [ -n "${needs[$w]+x}" ] || { echo "deps.sh: unknown need '$w' (known: ${!needs[*]})" >&2; exit 2; }
  for pair in ${needs[$w]}; do
    cmd=${pair%%:*} pkg=${pair#*:}
    if ! command -v "$cmd" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$cmd" ] && ! [ -x "/sbin/$cmd" ]; then
      case " ${missing[*]-} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
    fi
  done
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  cat >&2 <<MSG
Missing Debian packages: ${missing[*]}
Install them as root and run this again:
    sudo apt-get install -y ${missing[*]}
(or run 'sudo make deps'). The tests use a private ClickHouse server started in a
temporary directory; nothing is configured system-wide.
MSG
  exit 1
fi

echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/sonde-apt.log 2>&1; then
  apt-get update >>/tmp/sonde-apt.log 2>&1 || true
  apt-get install -y --no-install-recommends "${missing[@]}" >>/tmp/sonde-apt.log 2>&1 || {
    echo "apt-get install failed; see /tmp/sonde-apt.log:" >&2
    tail -20 /tmp/sonde-apt.log >&2
    exit 1
  }
fi
# Debian's package starts a system-wide server through systemd where it
# can; the project never uses it (it starts private servers), so stop it.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet clickhouse-server 2>/dev/null; then
  systemctl stop clickhouse-server || true
fi
