#!/bin/bash
# run-fuzz.sh FUZZER SEEDS WORKDIR RUNS: RUNS inputs after the seeds, under
# a minute; new inputs into WORKDIR (the build's), a finding fails the test
# and leaves its input there as crash-* (or leak-*, timeout-*).
set -euo pipefail
fuzzer=$1 seeds=$2 work=$3 runs=$4
rm -rf "$work"
mkdir -p "$work/corpus"
exec "$fuzzer" -runs="$runs" -seed=1 -max_total_time=55 -timeout=10 -max_len=4096 \
  -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "$seeds"
