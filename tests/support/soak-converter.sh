#!/bin/sh
# The soak's stand-in converter: page progress, 50–290 ms of "work", and content.md that quotes the
# input's first bytes, so the soak can check every result belongs to its job.
mkdir -p "$2" || exit 1
echo "page 1/2"
sleep "0.$(printf '%02d' $(( $(od -An -N1 -tu1 /dev/urandom) % 25 + 5 )))"
echo "page 2/2"
{ printf '# Converted\n\n'; head -c 120 "$1"; printf '\n'; } > "$2/content.md"
