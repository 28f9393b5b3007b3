"""Drives Python `reader` for the peer comparison.

usage: reader_poll.py add DB URLS_FILE   subscribe to every URL (not timed)
       reader_poll.py update DB WORKERS  one update of every feed; prints
                                         the number of entries stored
"""

import sys

from reader import make_reader


def main():
    command, db = sys.argv[1], sys.argv[2]
    reader = make_reader(db)
    if command == "add":
        with open(sys.argv[3], encoding="utf-8") as urls:
            for url in urls:
                reader.add_feed(url.strip(), exist_ok=True)
    elif command == "update":
        reader.update_feeds(workers=int(sys.argv[3]))
        print(reader.get_entry_counts().total)
    else:
        sys.exit(f"unknown command {command!r}")
    reader.close()


if __name__ == "__main__":
    main()
