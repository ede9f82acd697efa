"""``python -m ember run script.py [args...]``: see ember/run.py."""

import sys

from ember.run import cli

if __name__ == "__main__":
    sys.exit(cli())
