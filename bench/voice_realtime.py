"""Voice in real time, end to end: the real `rtagent talk` on the virtual sound card, spoken turns, a busy core.

Per mode (push-to-talk with SPACE as a toggle — tmux has no key releases — and open mic), espeak-ng questions are
played into a virtual mic while both virtual devices are recorded with timestamps (two PulseAudio null sinks
loaded for the run, so nobody else's audio on the shared vmic/vspeaker gets in); one extra process spins on a
core the whole time. Prints: capture-to-socket lag at the first and last turn (the client's own per-turn figure),
end of speech → first agent audio p50/p95 from the recordings and from the status bar, voiced seconds played into
the mic vs sent to the engine (`--record`'s input.wav), and the client's idle CPU. For push-to-talk it also splits
each turn (the client's own moments from `--record`'s turns.jsonl, on the same monotonic clock) into key event,
tail, send, engine, prebuffer and output stages plus the speaker-to-recording offset, and prints the underruns.

    source /tmp/rtagent-pulse/env.sh
    nice -n 10 .venv/bin/python bench/voice_realtime.py                 # both modes, 20 turns each
    nice -n 10 .venv/bin/python bench/voice_realtime.py --turns 5 --modes ptt
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import wave
from pathlib import Path

import numpy as np

from realtime_cli.audio.latency import percentile

ROOT = Path(__file__).resolve().parents[1]
RTAGENT = str(Path(sys.executable).parent / "rtagent")
RATE = 24_000
VOICED_RMS = 0.02  # a 10 ms frame louder than this counts as voiced (the voiced-seconds count)
# where speech starts and stops: a 10 ms frame above -50 dBFS (the virtual devices carry nothing but the clips). The
# -34 dBFS voiced level put the end of "Is the service up?" 50 ms before its audible final "p".
EDGE_RMS = 0.003
QUESTIONS = [
    "Hello there.", "What can you do?", "Where is order 1001?", "Is the service working?",
    "What is the status of order 1002?", "Thank you.", "Where is my order 1003?", "Are there any outages?",
    "Good morning.", "What can you help me with?", "Where is order 1001 now?", "Is everything working today?",
    "Hi.", "What do you do?", "Where is order 1002?", "Is the service up?", "Thanks a lot.",
    "Can you check order 1003?", "Hello again.", "What else can you do?",
]


class Tap:
    """`parec` on one PulseAudio source, each sample mapped to this process's monotonic clock."""

    def __init__(self, source: str) -> None:
        self.proc = subprocess.Popen(["parec", "-d", source, f"--rate={RATE}", "--channels=1", "--format=s16le",
                                      "--latency-msec=10"], stdout=subprocess.PIPE)
        self.chunks: list[bytes] = []
        self.samples = 0
        self.start: float | None = None  # monotonic time of sample 0 (earliest-arriving estimate)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        while chunk := self.proc.stdout.read1(4800):  # type: ignore[attr-defined]
            now = time.monotonic()
            self.chunks.append(chunk)
            self.samples += len(chunk) // 2
            estimate = now - self.samples / RATE
            self.start = estimate if self.start is None else min(self.start, estimate)

    def audio(self) -> np.ndarray:
        return np.frombuffer(b"".join(self.chunks), dtype=np.int16)

    def now_index(self) -> int:
        return self.samples

    def time_of(self, index: int) -> float:
        assert self.start is not None
        return self.start + index / RATE

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(5)


def frame_rms(audio: np.ndarray) -> np.ndarray:
    n = len(audio) // 240
    frames = audio[: n * 240].astype(np.float32).reshape(n, 240) / 32768
    return np.sqrt((frames * frames).mean(axis=1)) if n else np.zeros(0)


def energy(audio: np.ndarray) -> float:
    """Sum of squares: unlike counting voiced 10 ms frames it does not depend on where the frames fall."""
    x = audio.astype(np.float64) / 32768
    return float((x * x).sum())


def voiced_seconds(audio: np.ndarray) -> float:
    return float((frame_rms(audio) > VOICED_RMS).sum() * 0.01)


def last_voiced(audio: np.ndarray, start: int, end: int) -> int | None:
    rms = frame_rms(audio[start:end])
    loud = np.nonzero(rms > EDGE_RMS)[0]
    return None if len(loud) == 0 else start + (int(loud[-1]) + 1) * 240


def first_voiced(audio: np.ndarray, start: int) -> int | None:
    rms = frame_rms(audio[start:])
    loud = np.nonzero(rms > EDGE_RMS)[0]
    return None if len(loud) == 0 else start + int(loud[0]) * 240


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        rate = w.getframerate()
    if rate != RATE:
        import soxr

        data = soxr.resample(data, rate, RATE).astype(np.int16)
    return data


def trim_trailing_silence(path: Path, keep_s: float = 0.05) -> None:
    """espeak-ng ends with ~0.35 s of silence; a person releases the key about when they stop talking."""
    audio = read_wav(path)
    end = last_voiced(audio, 0, len(audio))
    if end is not None:
        audio = audio[: min(len(audio), end + int(keep_s * RATE))]
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(audio.tobytes())


class Pane:
    def __init__(self) -> None:
        self.server = f"rtagent-bench-{uuid.uuid4().hex[:6]}"

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.server, *args], capture_output=True, text=True).stdout

    def start(self, command: str) -> None:
        subprocess.run(["tmux", "-L", self.server, "new-session", "-d", "-s", "b", "-x", "160", "-y", "50",
                        f"cd {ROOT} && {command}; echo EXITED=$?; sleep 120"], check=True)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-S", "-400", "-t", "b")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "b", *keys)

    def wait_for(self, text: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.screen():
                return True
            time.sleep(0.1)
        return False

    def pid(self) -> int:
        shell = self.tmux("display-message", "-p", "-t", "b", "#{pane_pid}").strip()
        for _ in range(100):
            out = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True).stdout.split()
            if out:
                return int(out[0])
            time.sleep(0.1)
        raise RuntimeError("rtagent did not start")

    def close(self) -> None:
        self.tmux("kill-server")


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants (the voice client runs its local engine in a child process)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        with contextlib.suppress(OSError):
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
    return out


def cpu_percent(pid: int, seconds: float) -> float:
    """CPU of `pid` and its child processes over `seconds`, in % of one core."""
    tick = os.sysconf("SC_CLK_TCK")

    def used(p: int) -> float:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / tick

    pids = _tree(pid)
    a = {p: used(p) for p in pids}
    time.sleep(seconds)
    return 100 * sum(used(p) - a[p] for p in pids) / seconds


def status_latency(screen: str) -> float | None:
    found = re.findall(r"latency (\d+(?:\.\d)?) (ms|s)\b", screen)
    if not found:
        return None
    value, unit = found[-1]
    return float(value) * (1000 if unit == "s" else 1)


def wait_agent_done(speaker: Tap, after: int, timeout: float = 25.0) -> int | None:
    """Index of the first agent sample after `after`, once the agent has been quiet for 1 s (None: no answer)."""
    deadline = time.monotonic() + timeout
    first = None
    while time.monotonic() < deadline:
        time.sleep(0.2)
        audio = speaker.audio()
        if first is None:
            first = first_voiced(audio, after)
            continue
        tail = frame_rms(audio[-RATE:])
        if len(tail) >= 100 and (tail < VOICED_RMS).all():
            return first
    return first


class PrivateCard:
    """Two null sinks of our own (speaker, and a mic fed through its monitor), so tests or benches that other
    people run on the shared vspeaker/vmic cannot leak into the recordings; unloaded on close."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:6]
        self.speaker, self.mic = f"bench_spk_{tag}", f"bench_mic_{tag}"
        self.modules = [self._load(self.speaker), self._load(self.mic)]

    @staticmethod
    def _load(name: str) -> str:
        return subprocess.run(["pactl", "load-module", "module-null-sink", f"sink_name={name}", "rate=24000",
                               "channels=1", "format=s16le"], check=True, capture_output=True,
                              text=True).stdout.strip()

    def env(self) -> str:
        """Shell prefix that makes rtagent's default devices ours (libpulse reads these variables)."""
        return f"PULSE_SINK={self.speaker} PULSE_SOURCE={self.mic}.monitor"

    def close(self) -> None:
        for module in self.modules:
            subprocess.run(["pactl", "unload-module", module], capture_output=True)


def run_mode(mode: str, turns: int, wavs: list[Path], work: Path) -> dict[str, object]:
    record = work / f"rec-{mode.replace(' ', '-')}"
    flags = "--vad" if mode == "open mic" else ""
    pane = Pane()
    card = PrivateCard()
    mic, speaker = Tap(f"{card.mic}.monitor"), Tap(f"{card.speaker}.monitor")
    result: dict[str, object] = {"mode": mode}
    try:
        pane.start(f"{card.env()} {RTAGENT} talk --agent configs/support.yaml {flags} --record {record}")
        if not pane.wait_for("connected", 40):
            raise RuntimeError("rtagent never connected:\n" + pane.screen())
        pid = pane.pid()
        recorded, shown = [], []
        marks: list[tuple[float, float]] = []  # (key release sent, first agent sample recorded) per answered turn
        for i in range(turns):
            wav = wavs[i % len(wavs)]
            if mode != "open mic":
                pane.keys(" ")
                time.sleep(0.15)
            start = mic.now_index()
            subprocess.run(["paplay", "-d", card.mic, str(wav)], check=True)
            released = time.monotonic()
            if mode != "open mic":
                pane.keys(" ")
            end = mic.now_index()
            speech_end = last_voiced(mic.audio(), start, end + RATE // 2)
            if speech_end is None:
                print(f"  turn {i + 1}: the mic recording has no speech", flush=True)
                continue
            agent = wait_agent_done(speaker, max(0, int((mic.time_of(speech_end) - speaker.time_of(0)) * RATE)))
            if agent is None:
                print(f"  turn {i + 1}: no answer heard", flush=True)
                print("    " + "\n    ".join(pane.screen().rstrip().splitlines()[-4:]), flush=True)
                continue
            # push-to-talk's turn ends at the key release, open mic's where the recording's speech ends
            ended = released if mode != "open mic" else mic.time_of(speech_end)
            ms = (speaker.time_of(agent) - ended) * 1000
            marks.append((released, speaker.time_of(agent)))
            bar = status_latency(pane.screen())
            recorded.append(ms)
            if bar is not None:
                shown.append(bar)
            print(f"  turn {i + 1}: recorded {ms:.0f} ms, status bar {bar}", flush=True)
            time.sleep(0.5)
        time.sleep(3)  # the last answer is over: nobody talks, the agent is quiet
        result["idle_cpu"] = cpu_percent(pid, 10)
        pane.keys("q")
        pane.wait_for("EXITED=", 20)
        screen = pane.screen()
        result.update(recorded=recorded, shown=shown, screen=screen)
        lags = re.search(r"mic lag, median of each turn \(ms\): ([\d ]+)", screen)
        result["lags"] = [float(x) for x in lags.group(1).split()] if lags else []
        bars = re.search(r"latency of each turn \(ms\): ([\d ]+)", screen)
        result["bar_all"] = [float(x) for x in bars.group(1).split()] if bars else []
        result["stages"] = breakdown(record / "turns.jsonl", marks)
        underruns = re.search(r"playback: (\d+) underruns", screen)
        result["underruns"] = int(underruns.group(1)) if underruns else None
        played = sum(voiced_seconds(read_wav(w)) for w in (wavs[i % len(wavs)] for i in range(turns)))
        sent_path = record / "input.wav"
        result["played_voiced"] = played
        sent_audio = read_wav(sent_path) if sent_path.exists() else np.zeros(0, dtype=np.int16)
        result["sent_voiced"] = voiced_seconds(sent_audio)
        played_energy = sum(energy(read_wav(wavs[i % len(wavs)])) for i in range(turns))
        result["energy_ratio"] = energy(sent_audio) / played_energy if played_energy else 0.0
    finally:
        mic.close()
        speaker.close()
        pane.close()
        card.close()
    return result


STAGES = [("key", "key release sent → client's key event"), ("tail", "→ turn end (capture stamps past release)"),
          ("send", "→ commit in the socket"), ("engine", "→ first audio delta received"),
          ("prebuffer", "→ first sample in the output callback"), ("output", "→ its DAC time (PortAudio)"),
          ("device", "→ first agent sample in the recording")]


def breakdown(path: Path, marks: list[tuple[float, float]]) -> dict[str, list[float]]:
    """Per-stage ms of each turn: the client's own moments (turns.jsonl, monotonic like ours) between the key
    release this bench sent and the first agent sample its speaker recording holds."""
    stages: dict[str, list[float]] = {name: [] for name, _ in STAGES}
    if not path.exists():
        return stages
    turns = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    for sent, heard in marks:
        turn = next((t for t in turns if 0 <= t["released"] - sent < 1.0), None)
        if turn is None:
            continue
        points = [sent, turn["released"], turn["turn_end"], turn["committed"], turn["first_delta"],
                  turn["played"], turn["heard"], heard]
        for (name, _), a, b in zip(STAGES, points, points[1:], strict=False):
            stages[name].append((b - a) * 1000)
    return stages


def pct(values: list[float], q: float) -> float:
    return percentile(values, q) or 0.0


def report(r: dict[str, object]) -> None:
    print(f"\n== {r['mode']} ==")
    lags = r.get("lags") or []
    assert isinstance(lags, list)
    if lags:
        drift = lags[-1] - lags[0]
        print(f"capture→socket lag: first turn {lags[0]:.0f} ms, last turn {lags[-1]:.0f} ms "
              f"(drift {drift:+.0f} ms; goal ≤ 50) {'OK' if drift <= 50 else 'MISSED'}")
    recorded, bar_all = r.get("recorded") or [], r.get("bar_all") or []
    assert isinstance(recorded, list) and isinstance(bar_all, list)
    if recorded:
        print(f"end of speech → first agent audio (recordings): p50 {pct(recorded, 50):.0f} ms, "
              f"p95 {pct(recorded, 95):.0f} ms over {len(recorded)} turns")
    if bar_all:
        print(f"status bar latency: p50 {pct(bar_all, 50):.0f} ms, p95 {pct(bar_all, 95):.0f} ms")
    if recorded and bar_all and len(recorded) == len(bar_all):
        diffs = [abs(a - b) for a, b in zip(recorded, bar_all, strict=True)]
        print(f"status bar vs recording: median |diff| {statistics.median(diffs):.0f} ms, "
              f"max {max(diffs):.0f} ms (goal ≤ 50)")
    stages = r.get("stages") or {}
    assert isinstance(stages, dict)
    if any(stages.values()):
        print("where it goes, p50 / p95 (ms):")
        for name, what in STAGES:
            values = stages.get(name) or []
            if values:
                print(f"  {name:<9} {pct(values, 50):5.0f} / {pct(values, 95):5.0f}  {what}")
    if r.get("underruns") is not None:
        print(f"playback underruns: {r['underruns']}")
    played, sent = float(r.get("played_voiced", 0.0)), float(r.get("sent_voiced", 0.0))  # type: ignore[arg-type]
    print(f"voiced audio: played into the mic {played:.2f} s, sent to the engine {sent:.2f} s, "
          f"difference {played - sent:+.2f} s (10 ms frame counting: ±1 frame per speech edge); "
          f"speech energy sent/played {float(r.get('energy_ratio', 0.0)):.3f}")  # type: ignore[arg-type]
    print(f"idle CPU of the client (with its engine process): {float(r.get('idle_cpu', 0.0)):.1f} % of one core")  # type: ignore[arg-type]
    if r["mode"] != "open mic" and recorded:
        print(f"push-to-talk p50 goal ≤ 400 ms: {'OK' if pct(recorded, 50) <= 400 else 'MISSED'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--modes", default="ptt,vad", help="comma-separated: ptt, vad")
    parser.add_argument("--no-busy", action="store_true", help="skip the process that keeps one core busy")
    args = parser.parse_args()
    missing = [tool for tool in ("tmux", "paplay", "parec", "espeak-ng") if shutil.which(tool) is None]
    if missing or not os.environ.get("PULSE_SERVER"):
        print(f"needs {', '.join(missing) or 'PULSE_SERVER'}: source /tmp/rtagent-pulse/env.sh", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="rtagent-voice-bench-"))
    wavs = []
    for i, text in enumerate(QUESTIONS):
        path = work / f"q{i:02d}.wav"
        subprocess.run(["espeak-ng", "-s", "160", "-w", str(path), text], check=True)
        trim_trailing_silence(path)
        wavs.append(path)
    busy = None if args.no_busy else subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        for mode in args.modes.split(","):
            name = "open mic" if mode.strip() == "vad" else "push-to-talk"
            print(f"running {name}: {args.turns} turns", flush=True)
            report(run_mode(name, args.turns, wavs, work))
    finally:
        if busy is not None:
            busy.terminate()
            busy.wait(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
