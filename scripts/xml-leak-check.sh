#!/usr/bin/env bash
# Runs the XML tests under valgrind's leak checker and reports the definitely-lost bytes, which
# must be zero: every libxml2 document and parser context is freed (PlanXML frees them with
# `defer` in the function that creates them).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests --scratch-path .build-valgrind -Xswiftc -gnone -Xcc -g0 >/dev/null  # no DWARF 5: valgrind 3.19 cannot read it
binary=.build-valgrind/debug/compPackageTests.xctest
log=$(mktemp)
valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=3 \
    "$binary" --testing-library swift-testing --filter 'HostileXML' >"$log" 2>&1 || status=$?
grep -E "definitely lost|indirectly lost|ERROR SUMMARY|Test run with" "$log" || true
if [ "${status:-0}" = 3 ]; then
    echo "leaks found (full report: $log)"
    exit 1
fi
echo "no definitely-lost bytes"
