#!/usr/bin/env bash
# Start a virtual sound card for the audio_device tests: PulseAudio with two null sinks.
#   vspeaker  - the default sink; what we play can be recorded from vspeaker.monitor
#   vmic      - feed it with `paplay -d vmic x.wav`; its monitor is the default source (our microphone)
# Run as root, non-interactive. Idempotent: a second run reuses a live daemon.
# Afterwards `source "$RTAGENT_PULSE_DIR/env.sh"` (default /tmp/rtagent-pulse/env.sh) before running tests.
# Stop it with: .ci/audio-setup.sh --stop
set -euo pipefail

DIR="${RTAGENT_PULSE_DIR:-/tmp/rtagent-pulse}"
ENV_FILE="$DIR/env.sh"
PIDS_FILE="$DIR/pids"

stop() {
    if [[ -f "$PIDS_FILE" ]]; then
        while read -r pid; do
            [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
        done <"$PIDS_FILE"
        rm -f "$PIDS_FILE"
    fi
}

if [[ "${1:-}" == "--stop" ]]; then
    stop
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
need=()
for pkg in libportaudio2 pulseaudio pulseaudio-utils libasound2-plugins; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
    echo "audio-setup: installing ${need[*]}"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

mkdir -p "$DIR/runtime" "$DIR/state"
chmod 700 "$DIR" "$DIR/runtime"

cat >"$ENV_FILE" <<EOF
export PULSE_SERVER=unix:$DIR/native
export XDG_RUNTIME_DIR=$DIR/runtime
export PULSE_RUNTIME_PATH=$DIR/runtime
export PULSE_STATE_PATH=$DIR/state
export RTAGENT_PULSE_DIR=$DIR
EOF
# shellcheck source=/dev/null
source "$ENV_FILE"

if pactl info >/dev/null 2>&1; then
    echo "audio-setup: PulseAudio already running at $PULSE_SERVER"
    echo "audio-setup: source $ENV_FILE"
    exit 0
fi
stop

cat >"$DIR/default.pa" <<EOF
load-module module-native-protocol-unix auth-anonymous=1 socket=$DIR/native
load-module module-null-sink sink_name=vspeaker rate=24000 channels=1 format=s16le
load-module module-null-sink sink_name=vmic rate=24000 channels=1 format=s16le
set-default-sink vspeaker
set-default-source vmic.monitor
EOF

# Running as root, pulseaudio warns about system mode but works in this per-user (-n) configuration.
setsid pulseaudio -n -F "$DIR/default.pa" --daemonize=no --exit-idle-time=-1 --use-pid-file=no \
    --realtime=no --high-priority=no --log-target=file:"$DIR/pulse.log" </dev/null >/dev/null 2>&1 &
echo $! >"$PIDS_FILE"

for _ in $(seq 1 100); do
    pactl info >/dev/null 2>&1 && break
    sleep 0.05
done
if ! pactl info >/dev/null 2>&1; then
    echo "audio-setup: PulseAudio did not start; see $DIR/pulse.log" >&2
    stop
    exit 1
fi

# Null sinks stall new streams for up to 2 s unless something reads their monitors: keep readers running.
for mon in vspeaker.monitor vmic.monitor; do
    setsid parec -d "$mon" --latency-msec=10 </dev/null >/dev/null 2>&1 &
    echo $! >>"$PIDS_FILE"
done
# The background jobs hold no pipe of ours (all redirected), so the caller's `| tail` ends; detach them.
disown -a
sleep 0.3

echo "audio-setup: PulseAudio ready at $PULSE_SERVER (sinks vspeaker, vmic)"
echo "audio-setup: source $ENV_FILE"
