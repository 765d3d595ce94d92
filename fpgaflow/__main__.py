import sys

from fpgaflow.cli import main

sys.exit(main())
