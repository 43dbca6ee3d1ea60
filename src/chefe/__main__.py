"""``python -m chefe``: the same as the ``chefe`` command."""

from .cli.main import main

raise SystemExit(main())
