#!/usr/bin/env bash
# Adds every public symbol the PublicApiAnalyzers report as undeclared (RS0016) to PublicAPI.Unshipped.txt of a project.
# Usage: eng/update-public-api.sh src/MtaSts.Client
set -euo pipefail
project=${1:?project directory}
file="$project/PublicAPI.Unshipped.txt"
new=$(dotnet build "$project" -nologo 2>&1 | grep -oP "RS0016: Symbol '\K[^']+(?=' is not part)" | sort -u || true)
[ -n "$new" ] || { echo "no new public API"; exit 0; }
{ grep -v '^#nullable enable' "$file" || true; echo "$new"; } | sort -u > "$file.tmp"
{ echo '#nullable enable'; cat "$file.tmp"; } > "$file"; rm "$file.tmp"
echo "$new" | wc -l | xargs echo "added symbols:"
