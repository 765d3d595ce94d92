"""The end-to-end flow: named steps with one signature, checkpointed, resumable (``--from``/``--to``)."""
