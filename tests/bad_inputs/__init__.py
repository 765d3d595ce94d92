"""The bad-input catalogue (issue 18): what a hostile but realistic user feeds fpgaflow, and what must happen.

Each case builds its inputs in a fresh directory, runs one command (the ``fpgaflow`` CLI, or the board-side
entry point), and states the exit status and a fragment of the one-line message; a data-loss case also
names the files that must still be there byte for byte afterwards.  ``tests/test_bad_inputs.py`` runs
them; ``docs/reliability.md`` lists them (a test keeps the two identical).
"""
