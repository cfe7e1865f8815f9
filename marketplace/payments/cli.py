"""Payment commands for cron (none yet besides the ordering jobs)."""

COMMANDS: list = []
