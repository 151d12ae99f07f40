#!/usr/bin/env bash
# Runs every test of the repository on a fresh Debian machine that has the .NET 10 SDK.
# It installs the Debian packages the tests need (when missing), builds with warnings as errors,
# runs all test projects, checks the packages (contents, Source Link, a fresh project installing each one and running
# its README example) and runs the samples offline.
set -euo pipefail
cd "$(dirname "$0")"

configuration=Release
packages=(knot knot-dnsutils unzip postfix redis-server systemd unbound)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # Keep the packages from starting system-wide services (which would listen on :25, :53, :6379): tests start their own
  # (Unbound included: the DANE tests run private validating resolvers on free loopback ports).
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

# Runs a program with no network but loopback (a new network namespace): samples and package examples must work
# offline, and nothing they do may reach a real resolver or mail server.
offline() {
  if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then unshare -n "$@"
  elif unshare -rn true 2>/dev/null; then unshare -rn "$@"
  else echo "offline: cannot create a network namespace (unshare -n); '$*' not run"; return 97; fi
}

# Package check: each package holds its library, XML docs, its own README (the one beside its project), the icon,
# the licence expression and the repository commit; its symbols package holds a PDB with Source Link to GitHub. The
# tool package (MtaSts.Tool) holds the tool and its settings instead of a library.
rm -rf artifacts/packages
for project in src/*/; do
  id=$(basename "$project")
  dotnet pack "$project" -c "$configuration" --no-build -nologo -v quiet -o artifacts/packages
  nupkg=$(ls artifacts/packages/"$id".[0-9]*.nupkg | grep -v '\.snupkg$' | head -n 1)
  snupkg=${nupkg%.nupkg}.snupkg
  listing=$(unzip -l "$nupkg")
  entries=("lib/net10.0/$id.dll" "lib/net10.0/$id.xml" README.md icon.png "$id.nuspec")
  [ "$id" = MtaSts.Tool ] && entries=("tools/net10.0/any/$id.dll" "tools/net10.0/any/DotnetToolSettings.xml" README.md icon.png "$id.nuspec")
  for entry in "${entries[@]}"; do
    grep -q " $entry\$" <<<"$listing" || { echo "package check: $entry missing from $nupkg"; status=1; }
  done
  nuspec=$(unzip -p "$nupkg" "$id.nuspec")
  for element in '<license type="expression">MIT</license>' '<readme>README.md</readme>' '<icon>icon.png</icon>' '<tags>' '<description>' '<repository type="git" url="https://github.com/'; do
    grep -qF "$element" <<<"$nuspec" || { echo "package check: $element missing from the nuspec of $nupkg"; status=1; }
  done
  cmp -s <(unzip -p "$nupkg" README.md) "$project/README.md" \
    || { echo "package check: README.md of $nupkg is not $project""README.md"; status=1; }
  # The libraries' PDBs travel in their symbols packages; the tool's travels inside the tool package itself.
  if [ "$id" = MtaSts.Tool ]; then pdb_package=$nupkg; pdb="tools/net10.0/any/$id.pdb"; else pdb_package=$snupkg; pdb="lib/net10.0/$id.pdb"; fi
  [ -f "$pdb_package" ] && unzip -p "$pdb_package" "$pdb" | grep -aq 'https://raw.githubusercontent.com/mtasts-client/MtaSts.Client/' \
    || { echo "package check: no Source Link data in $pdb of $pdb_package"; status=1; }
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

# Consumer check: for each package, a fresh console project installs it from artifacts/packages (its other
# dependencies from the configured NuGet feed, into an empty package folder so that no cached copy of our packages is
# used), takes the C# example of the package's README as Program.cs, builds it and runs it offline.
consumer=$(mktemp -d)
trap 'rm -rf "$consumer"' EXIT
packages_dir=$(pwd)/artifacts/packages
cat > "$consumer/nuget.config" <<NUGET
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$packages_dir" />
  </packageSources>
</configuration>
NUGET
declare -A expected=([MtaSts.Client]='^Enforce$' [MtaSts.Client.MailKit]='^example.com: ' [MtaSts.Client.Sqlite]='^example.com: Cached, mode Enforce')
for project in src/*/; do
  id=$(basename "$project")
  [ "$id" = MtaSts.Tool ] && continue # a tool, not a library: installed and run above
  nupkg=$(ls "$packages_dir/$id".[0-9]*.nupkg | grep -v '\.snupkg$' | head -n 1)
  version=$(basename "$nupkg" .nupkg); version=${version#"$id".}
  app="$consumer/app-$id"
  dotnet new console -o "$app" -n ConsumerApp --no-restore >/dev/null
  unzip -p "$nupkg" README.md | awk '/^```csharp$/ { inside = 1; next } inside && /^```$/ { exit } inside' > "$app/Program.cs"
  sed -i "s|</Project>|  <ItemGroup><PackageReference Include=\"$id\" Version=\"$version\" /></ItemGroup>\n</Project>|" "$app/ConsumerApp.csproj"
  if NUGET_PACKAGES="$consumer/packages" dotnet build "$app" -c Release -nologo -v quiet >"$app/build.log" 2>&1; then
    output=$(offline dotnet "$app/bin/Release/net10.0/ConsumerApp.dll" 2>&1) && grep -qE "${expected[$id]}" <<<"$output" \
      && echo "consumer check: $id $version: built and ran its README example" \
      || { echo "consumer check: the README example of $id failed:"; echo "$output"; status=1; }
  else
    echo "consumer check: the README example of $id does not build against the package:"; tail -n 20 "$app/build.log"; status=1
  fi
done

# The samples, one per package and the README's, run offline.
run_sample() {
  local name=$1 pattern=$2; shift 2
  local output
  output=$(offline dotnet "artifacts/bin/$name/${configuration,,}/$name.dll" "$@" 2>&1) && grep -qE "$pattern" <<<"$output" \
    || { echo "sample $name failed:"; echo "$output"; status=1; }
}
run_sample PolicyCheck '^mail.example.com: allowed$' samples/PolicyCheck/example-policy.txt mail.example.com
run_sample QuickStart '^Enforce$'
run_sample DependencyInjection 'ready$'
run_sample MailKitQuickStart '^example.com: '
run_sample SqliteQuickStart '^example.com: Cached, mode Enforce'

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
