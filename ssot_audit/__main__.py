from ssot_audit.cli import main

main()
