"""`sanzhua site`: the ledger as a static web site for leaders and clerks.

- `data`: the evaluation grouped for the overview (lights by unit, leader, category,
  kind of unit, worst first) and every task as the pages show it;
- `story`: one task's page: why it is in its state, milestones, progress, git history;
- `archive`: every week's bulletin as a page; `text`: the site's words;
- the charts are drawn at build time as SVG with their numbers as text (sanzhua.render.svg)
  from the weekly trend (sanzhua.report.trends);
- `build`: templates (Jinja2, autoescaped) → files in a fresh folder, put in place whole.
"""
