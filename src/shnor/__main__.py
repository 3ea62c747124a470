from shnor.cli import main

main()
