#!/usr/bin/env bash
# The fault-injection suite's long profile: a real 3-server ZooKeeper ensemble and 3 service
# processes on loopback, 54 jobs calling a ledger, faults drawn from a seed until the time is up.
# Prints the report (also in scheduler-service/target/chaos-report.txt); exits non-zero if any
# "must be 0" row is not 0. CI runs the short profile (one fault of each kind) in `mvn -B verify`.
#
#   ops/chaos.sh [--minutes 30] [--seed N]
set -euo pipefail

usage() {
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
}

minutes=30
seed=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")/.."
args=(-B -pl scheduler-service -am verify
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
  -Dit.test=ChaosIT -Dfailsafe.failIfNoSpecifiedTests=false
  -Dspotless.check.skip=true
  "-Dchaos.minutes=$minutes")
if [[ -n "$seed" ]]; then
  args+=("-Dchaos.seed=$seed")
fi

status=0
mvn "${args[@]}" || status=$?
report=scheduler-service/target/chaos-report.txt
if [[ -f "$report" ]]; then
  cat "$report"
else
  echo "no report was written; see scheduler-service/target/failsafe-reports/" >&2
fi
exit "$status"
