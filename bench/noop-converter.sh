#!/bin/sh
# A stand-in converter for the throughput benchmark: no conversion, just the output a converter
# leaves (content.md in the output folder, which the worker creates), so what is measured is the
# pipeline around it. Shell built-ins only: one process per job, as cheap as a child can be.
printf '# %s\n\nno-op conversion\n' "${1##*/}" > "$2/content.md"
