import sys

from empathy_os.cli import main

sys.exit(main())
