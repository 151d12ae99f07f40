#!/usr/bin/env bash
# Brings PublicAPI.Unshipped.txt of a project in step with its code: adds every public symbol the PublicApiAnalyzers
# report as undeclared (RS0016) and removes every declared symbol they can no longer find (RS0017).
# Usage: eng/update-public-api.sh src/MtaSts.Client
set -euo pipefail
project=${1:?project directory}
file="$project/PublicAPI.Unshipped.txt"
output=$(dotnet build "$project" -nologo 2>&1 || true)
new=$(grep -oP "RS0016: Symbol '\K[^']+(?=' is not part)" <<<"$output" | sort -u || true)
gone=$(grep -oP "RS0017: Symbol '\K[^']+(?=' is part of the declared API)" <<<"$output" | sort -u || true)
[ -n "$new$gone" ] || { echo "public API in step"; exit 0; }
{ grep -v '^#nullable enable' "$file" || true; [ -z "$new" ] || echo "$new"; } | sort -u > "$file.tmp"
if [ -n "$gone" ]; then grep -vxFf <(echo "$gone") "$file.tmp" > "$file.tmp2" || true; mv "$file.tmp2" "$file.tmp"; fi
{ echo '#nullable enable'; grep -v '^$' "$file.tmp"; } > "$file"; rm "$file.tmp"
echo "added: $(grep -c . <<<"$new" || true), removed: $(grep -c . <<<"$gone" || true)"
