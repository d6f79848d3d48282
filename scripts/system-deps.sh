#!/bin/sh
# System packages the app and its tests use: libmpv2 (preview playback), tmux (the
# end-to-end terminal tests) and the ffmpeg command (tests build reference media with it and
# check the emulator's HLS against its demuxer); with `bench`, also yt-dlp, the peer
# bench/download.py measures against. Installed with apt when running as root and missing;
# otherwise print the one-line hint and carry on (preview is disabled without libmpv).
missing=""
if ! ldconfig -p 2>/dev/null | grep -q 'libmpv\.so'; then missing="$missing libmpv2"; fi
if ! command -v tmux >/dev/null 2>&1; then missing="$missing tmux"; fi
if ! command -v ffmpeg >/dev/null 2>&1; then missing="$missing ffmpeg"; fi
if [ "$1" = "bench" ] && ! command -v yt-dlp >/dev/null 2>&1; then missing="$missing yt-dlp"; fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null \
        || echo "apt-get could not install$missing; preview may be disabled" >&2
else
    echo "hint: sudo apt-get install -y$missing   (without libmpv, preview is disabled)" >&2
fi
exit 0
