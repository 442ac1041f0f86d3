from os1.cli.main import main

main()
