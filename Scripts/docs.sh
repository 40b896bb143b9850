#!/usr/bin/env bash
# Builds the DocC documentation of the Laurel module (Sources/Laurel/Laurel.docc
# plus the public API's doc comments) with the toolchain's docc, failing on any
# warning (a broken link, a symbol that is not public). Output: .build/docs.
set -euo pipefail
cd "$(dirname "$0")/.."
swift package dump-symbol-graph --minimum-access-level public > .build-docs.log 2>&1 || { cat .build-docs.log; exit 1; }
graphs=$(mktemp -d)
trap 'rm -rf "$graphs"' EXIT
cp .build/*/symbolgraph/Laurel.symbols.json "$graphs/"
docc convert Sources/Laurel/Laurel.docc --additional-symbol-graph-dir "$graphs" \
  --output-path .build/docs --fallback-display-name Laurel --fallback-bundle-identifier dev.laurel.Laurel \
  --warnings-as-errors
echo "documentation: .build/docs"
