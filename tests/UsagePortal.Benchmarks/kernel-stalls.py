#!/usr/bin/env python3
"""Lines up the benchmark's slow usage answers with a kernel thread's bursts of CPU time.

    perf record -k CLOCK_REALTIME -a -F 499 -o perf.data -- sleep 10     (during the timed answers)
    python3 tests/UsagePortal.Benchmarks/kernel-stalls.py perf.data answers.log [thread]

answers.log is what the benchmark's --answers option wrote; thread defaults to kdamond (the kernel's DAMON monitor,
which this machine's kernel runs every half second). Prints how many answers over 20 ms overlapped a burst of the
thread, and the percentiles of the answers that did not.
"""
import re
import subprocess
import sys

perf_data, answers_log = sys.argv[1], sys.argv[2]
thread = sys.argv[3] if len(sys.argv) > 3 else "kdamond"
script = subprocess.run(["perf", "script", "-i", perf_data, "-F", "comm,pid,tid,time"], capture_output=True, text=True, check=True).stdout
samples = []
for line in script.splitlines():
    match = re.match(r"^\s*(.*\S)\s+\d+/\d+\s+([0-9.]+):", line)
    if match:
        samples.append((match.group(1), float(match.group(2))))
if not samples:
    sys.exit("perf recorded no samples")

# Samples of the thread less than 100 ms apart belong to one burst.
bursts = []
for name, time in samples:
    if thread in name:
        if bursts and time - bursts[-1][1] < 0.1:
            bursts[-1][1] = time
        else:
            bursts.append([time, time])
first, last = samples[0][1], samples[-1][1]
answers = []
for line in open(answers_log, encoding="utf-8"):
    start, milliseconds = line.split()[:2]
    start, milliseconds = float(start), float(milliseconds)
    if first <= start and start + milliseconds / 1000 <= last:
        answers.append((start, start + milliseconds / 1000, milliseconds))
if not answers:
    sys.exit("no answer falls inside the profile")


def overlaps(answer):
    # Timestamps are to the millisecond; a burst's edges to a sample (2 ms at 499 Hz).
    return any(begin - 0.003 <= answer[1] and end + 0.003 >= answer[0] for begin, end in bursts)


def percentile(values, share):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * share))] if values else float("nan")


slow = [a for a in answers if a[2] > 20]
clear = [a[2] for a in answers if not overlaps(a)]
print(f"{last - first:.1f} s profiled: {len(answers)} answers, {len(bursts)} bursts of {thread}"
      + (f" every {(bursts[-1][0] - bursts[0][0]) / max(1, len(bursts) - 1) * 1000:.0f} ms, median {sorted(e - b for b, e in bursts)[len(bursts) // 2] * 1000:.0f} ms long" if bursts else ""))
print(f"answers over 20 ms: {len(slow)}, of which {sum(overlaps(a) for a in slow)} overlapped a burst; answers overlapping a burst: {len(answers) - len(clear)}")
print(f"all answers: p50 {percentile([a[2] for a in answers], .5):.1f} ms, p99 {percentile([a[2] for a in answers], .99):.1f} ms; "
      f"answers clear of the bursts: p50 {percentile(clear, .5):.1f} ms, p99 {percentile(clear, .99):.1f} ms")
