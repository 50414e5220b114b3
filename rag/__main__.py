"""`python -m rag` is the same as the `rag` command."""

from rag.cli import main

if __name__ == "__main__":
    main()
