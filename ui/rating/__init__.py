"""The citizen-facing rating screen (评价器): full screen on the second monitor, or alone in `--mode rating`."""
