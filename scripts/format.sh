#!/usr/bin/env bash
# Formats the hand-written Swift as swift-format (in the toolchain) writes it, by the rules in
# .swift-format; `--check` changes nothing and fails when a file is not formatted (run by
# .ci/run). Generated code (Generated/ folders) is the generator's to shape.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find Sources Tests Plugins -name '*.swift' -not -path '*/Generated/*' | sort; echo Package.swift)
if [ "${1:-}" = --check ]; then
    swift format lint --strict --parallel "${files[@]}"
    echo "format: ${#files[@]} files as swift format writes them"
else
    swift format format --in-place --parallel "${files[@]}"
fi
