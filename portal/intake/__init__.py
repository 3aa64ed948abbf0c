"""Candidates through every door: the agency's spreadsheets imported (``table``,
``columns``, ``importing``), phone numbers written one way (``phones``), likely duplicates
found as people arrive (``duplicates``) and two records of one person merged, and
unmerged within 30 days (``merging``)."""
