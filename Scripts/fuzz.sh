#!/usr/bin/env bash
# Fuzzes the engine under libFuzzer: random rule values and random actions
# (Sources/LaurelTesting/EngineFuzzing.swift) must never trap.
#   Scripts/fuzz.sh [seconds]      (default 60; crashes land in .build-fuzz/crashes)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
export LAUREL_FUZZ=1
swift build -c release --product laurel-fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer
mkdir -p .build-fuzz/corpus .build-fuzz/crashes
.build-fuzz/release/laurel-fuzz -max_total_time="$seconds" -max_len=2048 -timeout=10 \
  -artifact_prefix=.build-fuzz/crashes/ .build-fuzz/corpus
