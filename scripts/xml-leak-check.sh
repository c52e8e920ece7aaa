#!/usr/bin/env bash
# Runs the XML tests under AddressSanitizer with LeakSanitizer and fails on any leak: every
# libxml2 document, parser context, schema, schema parser context and validation context must be
# freed (PlanXML frees them with `defer` in the function that creates them). The tests cover
# hostile input (HostileXML, XMLHostileThroughCheck), schema validation and its messages
# (XMLErrors, XMLSchemaFile), lowering and export of every example plan (XMLRoundTrip) and
# mutated XML plans (XMLMutations). (valgrind 3.19 cannot read the DWARF 5 of Swift 6 binaries
# and crashes on the Swift Testing runner, hence LeakSanitizer.)
set -euo pipefail
cd "$(dirname "$0")/.."
build_log=$(mktemp)
if ! swift build --build-tests --sanitize=address --scratch-path .build-asan >"$build_log" 2>&1; then
    grep -E "error:" "$build_log" | head -20 || tail -20 "$build_log"
    echo "FAILED: the AddressSanitizer build failed (full log: $build_log)"
    exit 1
fi
log=$(mktemp)
status=0
ASAN_OPTIONS=detect_leaks=1 .build-asan/debug/compPackageTests.xctest \
    --testing-library swift-testing \
    --filter 'HostileXML|XMLHostileThroughCheck|XMLMutations|XMLErrors|XMLSchemaFile|XMLRoundTrip' >"$log" 2>&1 || status=$?
grep -E "Test run with|LeakSanitizer|SUMMARY" "$log" || true
if [ "$status" != 0 ] || grep -q "LeakSanitizer" "$log"; then
    echo "FAILED: leaks or test failures (full report: $log)"
    exit 1
fi
echo "LeakSanitizer: 0 bytes leaked"
