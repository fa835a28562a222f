from paradeops.cli import main

main()
