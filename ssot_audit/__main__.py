from ssot_audit.cli import run

run()
