#!/usr/bin/env bash
# Installs the command-line tools the tests use besides the S3 server: git and git-lfs (ingest
# of Git LFS pointers), tmux (the console's end-to-end test drives `blobforge watch` in it),
# promtool (Debian's prometheus: the metrics tests check the exposition format with it) and
# systemd-analyze (the unit `install-service` writes is verified with it) and python3-levenshtein
# (../shared/tools/score-markdown.py scores the built-in converter on corpus-real). As root with apt-get;
# otherwise it says what is missing and carries on.
set -euo pipefail
missing=()
command -v git >/dev/null || missing+=(git)
git lfs version >/dev/null 2>&1 || missing+=(git-lfs)
command -v tmux >/dev/null || missing+=(tmux)
command -v promtool >/dev/null || missing+=(prometheus)
command -v systemd-analyze >/dev/null || missing+=(systemd)
/usr/bin/python3 -c 'import Levenshtein' >/dev/null 2>&1 || missing+=(python3-levenshtein)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "[ensure-test-tools] installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/bf-apt-tools.log 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/bf-apt-tools.log 2>&1; } \
    || { echo "[ensure-test-tools] could not install ${missing[*]}: see /tmp/bf-apt-tools.log" >&2; exit 1; }
else
  echo "[ensure-test-tools] missing ${missing[*]}; tests that need them will fail" >&2
fi
