"""The ledger's git history: read once, compared task by task.

- `git`: the edge — one `git log --raw` for the commits and the blob ids they
  changed, one `git cat-file --batch` for file contents;
- `blobs`: old file versions parsed one task item at a time, cached by text;
- `walk`: per commit, each task before and after (followed by id across files),
  with the settings and units as of the commit's parent; merges reduced to what
  they changed beyond combining their parents;
- `timeline`: one task's events, what each commit changed (`changed_fields`, `diff`);
- `audit`: the walk over a range of commits with the rules applied;
- `rules/`: the audit's rules, one module per finding code (`deadline-moved`,
  `task-deleted`, ...), registered in `rules/__init__.py` like the checks.

`sanzhua log` and `sanzhua audit` (sanzhua.commands) are thin layers over these.
"""
