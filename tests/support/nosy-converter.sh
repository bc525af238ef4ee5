#!/bin/sh
# A converter that misbehaves, for the security tests: prints its environment (does it see the
# store's credentials?), and leaves a symlink to a file outside its output and odd names behind.
env
mkdir -p "$2/assets" || exit 1
printf '# Nosy\n' > "$2/content.md"
ln -s /etc/passwd "$2/assets/passwd.png"
ln -s /etc/hostname "$2/stolen.md"
printf 'x' > "$2/assets/..hidden"
printf 'ok' > "$2/assets/figure-1.png"
