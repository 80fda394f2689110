"""`python -m litlist`."""

from litlist.cli import main

main()
