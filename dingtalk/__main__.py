"""``python -m dingtalk``: see :mod:`dingtalk.cli`."""
import sys

from .cli import main

sys.exit(main())
