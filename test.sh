#!/usr/bin/env bash
# Runs every test of the repository on a fresh Debian machine that has the .NET 10 SDK.
# It installs the Debian packages the tests need (when missing), builds with warnings as errors,
# runs all test projects, checks that `dotnet pack` makes a valid package, and runs the sample.
set -euo pipefail
cd "$(dirname "$0")"

configuration=Release
packages=(knot knot-dnsutils unzip postfix redis-server systemd)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # Keep the packages from starting system-wide services (which would listen on :25, :53, :6379): tests start their own.
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
  trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
  # Postfix without any system configuration: the tests run private instances on free loopback ports.
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  $sudo rm -f /usr/sbin/policy-rc.d
  trap - EXIT
fi

dotnet build MtaSts.Client.sln -c "$configuration" -nologo -v quiet

results=artifacts/test-results
rm -rf "$results"
status=0
dotnet test MtaSts.Client.sln -c "$configuration" --no-build -nologo \
  --logger "console;verbosity=minimal" --logger "trx" --results-directory "$results" || status=$?

# Package check: each package builds and holds its library, XML docs, the README and the MIT licence expression;
# the tool package (MtaSts.Tool) holds the tool and its settings instead of a library.
rm -rf artifacts/packages
for project in src/*/; do
  id=$(basename "$project")
  dotnet pack "$project" -c "$configuration" --no-build -nologo -v quiet -o artifacts/packages
  nupkg=$(ls artifacts/packages/"$id".[0-9]*.nupkg | head -n 1)
  listing=$(unzip -l "$nupkg")
  entries=("lib/net10.0/$id.dll" "lib/net10.0/$id.xml" README.md "$id.nuspec")
  [ "$id" = MtaSts.Tool ] && entries=("tools/net10.0/any/$id.dll" "tools/net10.0/any/DotnetToolSettings.xml" README.md "$id.nuspec")
  for entry in "${entries[@]}"; do
    grep -q " $entry\$" <<<"$listing" || { echo "package check: $entry missing from $nupkg"; status=1; }
  done
  unzip -p "$nupkg" "$id.nuspec" | grep -q '<license type="expression">MIT</license>' \
    || { echo "package check: licence expression missing from $nupkg"; status=1; }
  echo "package check: $nupkg"
done

# The tool installs from the local package folder and runs the README's offline command. A package folder of its own
# keeps an older MtaSts.Tool of the same version in the user's NuGet cache from being installed instead.
tool=$(mktemp -d)
tool_version=$(basename "$(ls artifacts/packages/MtaSts.Tool.[0-9]*.nupkg | head -n 1)" .nupkg); tool_version=${tool_version#MtaSts.Tool.}
if NUGET_PACKAGES="$tool/packages" dotnet tool install --tool-path "$tool/bin" --add-source artifacts/packages MtaSts.Tool --version "$tool_version" >/dev/null; then
  "$tool/bin/mta-sts" lint samples/PolicyCheck/example-policy.txt >/dev/null || { echo "installed tool: mta-sts lint failed"; status=1; }
  echo "tool check: mta-sts $tool_version installed from artifacts/packages and ran lint"
else
  echo "tool check: dotnet tool install MtaSts.Tool failed"; status=1
fi
rm -rf "$tool"

# The sample that README.md shows must run: a valid policy and a matching host exit 0.
dotnet run --project samples/PolicyCheck -c "$configuration" --no-build -- samples/PolicyCheck/example-policy.txt mail.example.com >/dev/null \
  || { echo "sample PolicyCheck failed"; status=1; }
dotnet run --project samples/QuickStart -c "$configuration" --no-build >/dev/null || { echo "sample QuickStart failed"; status=1; }

# One closing line over all test projects, counted from the TRX files.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  total=$(get total); executed=$(get executed); p=$(get passed); f=$(get failed)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${total:-0} - ${executed:-0}))
done
echo "Tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] || status=1
exit $status
