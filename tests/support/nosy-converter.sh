#!/bin/sh
# A converter that misbehaves, for the security tests: prints its environment and its parent's
# (/proc/$PPID/environ: the worker's, readable by the same user) to see the store's credentials,
# and leaves a symlink to a file outside its output and odd names behind.
echo '--- own environment'
env
echo '--- parent environment'
tr '\0' '\n' < "/proc/$PPID/environ"
mkdir -p "$2/assets" || exit 1
printf '# Nosy\n' > "$2/content.md"
tr '\0' '\n' < "/proc/$PPID/environ" | grep -i secret > "$2/assets/parent-environment.txt"
ln -s /etc/passwd "$2/assets/passwd.png"
ln -s /etc/hostname "$2/stolen.md"
printf 'x' > "$2/assets/..hidden"
printf 'ok' > "$2/assets/figure-1.png"
