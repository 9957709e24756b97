#!/bin/bash
# Captures how an idle CPU is woken (issue 12): a flat-out 64 B UDP stream over 127.0.0.1, RPS off,
# sender pinned to CPU 0, reader to CPU 1, with sched_switch, sched_waking, ipi_send_cpu,
# sched_wake_idle_without_ipi, power:cpu_idle and call_function_single_entry traced for 0.15 s in
# the middle of a 2 s run, trace_clock x86-tsc, two trace_marker lines (CLOCK_REALTIME ns) bracketing
# the window so the cycles convert to ns. Usage: scripts/capture-idle-entry.sh OUT.txt [PORT]
# Needs root, tracefs and build/tools/udp-blast (npm run measure builds it). Every tracing setting it
# changes (events, clock, buffer size, tracing_on) is put back on exit, also when interrupted.
set -u
OUT=${1:?usage: capture-idle-entry.sh OUT.txt [PORT]}
PORT=${2:-47219}
T=/sys/kernel/tracing
B=$(dirname "$0")/../build/tools/udp-blast
[ -x "$B" ] || { echo "capture-idle-entry: build/tools/udp-blast missing (run any softnet-lab measure once)" >&2; exit 3; }
[ -w $T/tracing_on ] || { echo "capture-idle-entry: $T not writable (root and tracefs needed)" >&2; exit 3; }
EV="sched/sched_wake_idle_without_ipi sched/sched_waking sched/sched_switch ipi/ipi_send_cpu power/cpu_idle irq_vectors/call_function_single_entry"
OLDCLK=$(sed -n 's/.*\[\(.*\)\].*/\1/p' $T/trace_clock)
OLDBUF=$(cat $T/buffer_size_kb)
OLDON=$(cat $T/tracing_on)
declare -A OLDEV
for e in $EV; do OLDEV[$e]=$(cat $T/events/$e/enable); done
RP=; SP=
restore() {
  echo 0 > $T/tracing_on
  for e in $EV; do echo "${OLDEV[$e]}" > $T/events/$e/enable; done
  echo "$OLDCLK" > $T/trace_clock
  echo "$OLDBUF" > $T/buffer_size_kb
  echo "$OLDON" > $T/tracing_on
  [ -n "$RP" ] && kill $RP 2>/dev/null
  [ -n "$SP" ] && kill $SP 2>/dev/null
}
trap restore EXIT INT TERM
echo 0 > $T/tracing_on
echo x86-tsc > $T/trace_clock
echo 16384 > $T/buffer_size_kb
echo > $T/trace
for e in $EV; do echo 1 > $T/events/$e/enable; done
"$B" recv --port "$PORT" --cpu 1 --seconds 4 > /dev/null & RP=$!
sleep 0.3
"$B" send --port "$PORT" --cpu 0 --seconds 2 --payload 64 > "$OUT.send" & SP=$!
sleep 0.9
echo 1 > $T/tracing_on
echo "softnet-lab wall_ns=$(date +%s%N)" > $T/trace_marker
sleep 0.15
echo "softnet-lab wall_ns=$(date +%s%N)" > $T/trace_marker
echo 0 > $T/tracing_on
wait $SP
cp $T/trace "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
