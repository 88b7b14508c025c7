"""The ledger's git history: read once, compared task by task.

- `git`: the edge — one `git log --raw` for the commits and the blob ids they
  changed, one `git cat-file --batch` for file contents;
- `blobs`: old file versions parsed one task item at a time, cached by text;
- `walk`: per commit, each task before and after (followed by id across files),
  with the settings and units as of the commit's parent; merges reduced to what
  they changed beyond combining their parents;
- `rules`: the audit's findings (`deadline-moved`, `task-deleted`, ...).

`sanzhua log` and `sanzhua audit` (sanzhua.commands) are thin layers over these.
"""
