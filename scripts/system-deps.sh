#!/bin/sh
# System packages the app and its tests use: libmpv2 (preview playback), tmux (the
# end-to-end terminal tests) and the ffmpeg command (tests build reference media with it and
# check the emulator's HLS against its demuxer; bench/download.py measures against it too).
# Installed with apt when running as root and missing; otherwise print the one-line hint and
# carry on (preview is disabled without libmpv). yt-dlp, the other peer of the download
# benchmark, is not taken from apt (Debian's release lags years behind): `make peers` installs
# its current release from PyPI into .venv-peers/.
missing=""
if ! ldconfig -p 2>/dev/null | grep -q 'libmpv\.so'; then missing="$missing libmpv2"; fi
if ! command -v tmux >/dev/null 2>&1; then missing="$missing tmux"; fi
if ! command -v ffmpeg >/dev/null 2>&1; then missing="$missing ffmpeg"; fi
# The desktop integration's tests: a private session bus (dbus-daemon, dbus-run-session),
# dbus-monitor (dbus-bin) and playerctl driving our MPRIS.
if ! command -v dbus-daemon >/dev/null 2>&1; then missing="$missing dbus-daemon"; fi
if ! command -v dbus-monitor >/dev/null 2>&1 || ! command -v dbus-run-session >/dev/null 2>&1
then missing="$missing dbus-bin"; fi
if ! command -v playerctl >/dev/null 2>&1; then missing="$missing playerctl"; fi
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
