from paradeops.service.run import main

main()
