"""Counting steps in the database: the queue of what is due, and the compliance report.

- ``queue``: open steps due by a time, how they stand now, and the counts by status
- ``compliance``: the compliance rate by recruiter, candidate or employer, week by week; CSV
- ``chart``: the weekly compliance rate drawn as SVG
"""
