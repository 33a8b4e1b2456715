"""python -m benchmark: the benchmark's command line (`cli.py`)."""

import sys

from benchmark.cli import main

sys.exit(main())
