#!/bin/sh
# A stand-in converter for the throughput benchmark: no conversion, just the output a converter
# leaves (content.md in the output directory), so what is measured is the pipeline around it.
mkdir -p "$2" && printf '# %s\n\nno-op conversion\n' "$(basename "$1")" > "$2/content.md"
