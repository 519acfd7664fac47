"""Idle CPU of the real `rtagent talk` against the floor: a do-nothing PortAudio client with the same streams.

With nobody talking, the sound device's callbacks are most of what a voice client costs. The peer opens the same
two streams `rtagent talk` opens (24 kHz mono int16, 10 ms output blocks, 20 ms input blocks, low latency) on the
same virtual card and does nothing in its callbacks. One core is kept busy by another process, as in the voice
bench (`--no-busy` for a quiet box: there each wakeup costs more, so every figure is higher). Each round measures
the peer, push-to-talk and open mic for the same seconds, one after the other; the figures are medians over the
rounds (CPU time from /proc, all threads, the local engine's child process included). Needs the virtual card
(`.ci/audio-setup.sh`, then `source /tmp/rtagent-pulse/env.sh`).

    flock /work/wt/notes/bench.lock .venv/bin/python bench/idle_cpu.py [--rounds 3] [--seconds 20] [--no-busy]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from voice_realtime import RTAGENT, Pane, PrivateCard, cpu_percent

PEER = """
import sys, time
import sounddevice as sd
def out(data, frames, t, status):
    data.fill(0)
def inp(data, frames, t, status):
    pass
o = sd.OutputStream(samplerate=24000, blocksize=240, channels=1, dtype="int16", latency="low", callback=out)
i = sd.InputStream(samplerate=24000, blocksize=480, channels=1, dtype="int16", latency="low", callback=inp)
o.start(); i.start()
print("PEER READY", flush=True)
time.sleep(3600)
"""


def measure_peer(card: PrivateCard, seconds: float) -> float:
    env_prefix = dict(item.split("=", 1) for item in card.env().split())
    proc = subprocess.Popen([sys.executable, "-c", PEER], env={**os.environ, **env_prefix}, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        proc.stdout.readline()  # PEER READY: both streams run
        time.sleep(2)  # past the streams' start-up
        return cpu_percent(proc.pid, seconds)
    finally:
        proc.terminate()
        proc.wait(5)


def measure_talk(card: PrivateCard, flags: str, seconds: float, warmup: float) -> float:
    pane = Pane()
    try:
        pane.start(f"{card.env()} {RTAGENT} talk --agent configs/support.yaml {flags}")
        if not pane.wait_for("connected", 40):
            raise RuntimeError("rtagent never connected:\n" + pane.screen())
        pid = pane.pid()
        time.sleep(warmup)  # past the engine's warm-up (whisper and the voice load and run once at its start)
        return cpu_percent(pid, seconds)
    finally:
        pane.keys("q")
        pane.wait_for("EXITED=", 20)
        pane.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=20.0, help="seconds after connecting before measuring")
    parser.add_argument("--no-busy", action="store_true", help="skip the process that keeps one core busy")
    args = parser.parse_args()
    busy = None if args.no_busy else subprocess.Popen([sys.executable, "-c", "while True: pass"])
    card = PrivateCard()
    rows: dict[str, list[float]] = {"peer (no-op PortAudio client)": [], "rtagent push-to-talk": [],
                                     "rtagent open mic": []}
    try:
        for r in range(args.rounds):
            peer = measure_peer(card, args.seconds)
            ptt = measure_talk(card, "", args.seconds, args.warmup)
            vad = measure_talk(card, "--vad", args.seconds, args.warmup)
            for key, value in zip(rows, (peer, ptt, vad), strict=True):
                rows[key].append(value)
            print(f"  round {r + 1}: peer {peer:.2f} %, push-to-talk {ptt:.2f} %, open mic {vad:.2f} %", flush=True)
    finally:
        card.close()
        if busy is not None:
            busy.terminate()
            busy.wait(5)
    floor = statistics.median(rows["peer (no-op PortAudio client)"])
    where = "a quiet box" if args.no_busy else "one core kept busy, as in bench/voice_realtime.py"
    print(f"\nidle CPU, % of one core (median of {args.rounds} rounds of {args.seconds:.0f} s; {where}):")
    for key, values in rows.items():
        median = statistics.median(values)
        spread = f"{min(values):.2f}-{max(values):.2f}"
        print(f"  {key:32} {median:5.2f} %   ({median / floor:.2f}x the peer; range {spread})")
    ptt, vad = statistics.median(rows["rtagent push-to-talk"]), statistics.median(rows["rtagent open mic"])
    verdict = ["OK" if ptt <= 3 else "MISSED", "OK" if vad <= 8 else "MISSED"]
    print(f"goals: push-to-talk <= 3 %: {verdict[0]}; open mic <= 8 %: {verdict[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
