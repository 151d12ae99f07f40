#!/usr/bin/env bash
# Compares `mta-sts serve-postfix` with postfix-mta-sts-resolver (Debian's package, with uvloop) under the same load,
# against the same DNS (Knot) and HTTPS (Kestrel, test CA) servers on loopback, in one run, and prints both with their
# ratios (the table of README.socketmap.md). Every cell runs on one server and then the other, back to back.
#
#   benchmarks/socketmap/compare.sh [--domains 200] [--connections 1,4,16] [--duration 3] [--warmup 1] [--depth 32]
#                                   [--prewarm 5] [--output FILE]
#
# Needs root: it binds port 443 and port 53 of loopback addresses, and runs the resolver in a mount namespace of its
# own whose /etc/resolv.conf names the loopback DNS forwarder (the resolver can only ask resolv.conf's name servers).
# Not part of test.sh: nothing else needs postfix-mta-sts-resolver. Run it while the machine is otherwise idle.
set -euo pipefail
cd "$(dirname "$0")/../.."

packages=(postfix-mta-sts-resolver python3-uvloop knot)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}" >&2
  # Keep the packages from starting their system-wide services: the comparison starts its own instances.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
  trap - EXIT
fi

dotnet build src/MtaSts.Tool -c Release -nologo -v quiet >&2
dotnet build benchmarks/MtaSts.Socketmap.LoadGenerator -c Release -nologo -v quiet >&2
exec dotnet artifacts/bin/MtaSts.Socketmap.LoadGenerator/release/MtaSts.Socketmap.LoadGenerator.dll compare \
  --tool artifacts/bin/MtaSts.Tool/release/MtaSts.Tool.dll "$@"
