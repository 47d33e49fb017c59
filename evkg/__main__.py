"""``python -m evkg``: the command line."""

from evkg.cli import main

main()
