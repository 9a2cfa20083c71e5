from ssot_audit.command import run

run()
