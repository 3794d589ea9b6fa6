"""The spare process: ``python -m briefing.processes MODULE CLASS`` (see ``spare``)."""

import sys

from briefing.processes.spare import host_main

if __name__ == "__main__":
    host_main(*sys.argv[1:3])
