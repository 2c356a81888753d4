"""`python -m enkat`: the `enkat` command, for when its script is not on the PATH."""

from enkat.cli import main

main()
