#!/usr/bin/env bash
# Formats every Swift file the way .swift-format says (the toolchain's
# swift-format). `Scripts/format.sh --check` changes nothing and fails, listing
# the files, when one is not formatted: CI runs it that way.
set -euo pipefail
cd "$(dirname "$0")/.."
paths=(Package.swift Sources Tests Benchmarks Fuzz Playground)
if [ "${1:-}" = "--check" ]; then
  drift=0
  while IFS= read -r -d '' file; do
    if ! swift format format --configuration .swift-format "$file" | cmp -s - "$file"; then
      echo "not formatted: $file (run Scripts/format.sh)"
      drift=1
    fi
  done < <(find "${paths[@]}" -name '*.swift' -not -path '*/.build/*' -print0)
  exit "$drift"
fi
swift format format --configuration .swift-format --in-place --recursive --parallel "${paths[@]}"
